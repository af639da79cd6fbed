export const EVENT_BUS = Symbol('switchboard:event-bus');
export const EVENT_BUS_CONFIG = Symbol('switchboard:event-bus-config');
