/** The DI token of a service's SQLite database. */
export const DATABASE = Symbol('switchboard:database');
