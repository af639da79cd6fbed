export * from './open-database';
export * from './sqlite.module';
