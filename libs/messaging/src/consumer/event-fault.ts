import { RpcError, StatusCode } from '@app/transport';

/** A poison event made to order: deliveries of `type` whose body contains `bodyContains` fail. */
export interface EventFault {
  type: string;
  bodyContains: string;
}

/**
 * `EVENT_FAULT_INJECTION=<event type>:<text>` (fault tests only): every delivery of an event of that type whose body
 * contains the text fails with INTERNAL before its handler runs, as a poison event would, so redelivery, dead
 * letters and replay can be tested on the real apps. Refused with NODE_ENV=production.
 */
export function loadEventFault(env: NodeJS.ProcessEnv = process.env): EventFault | undefined {
  const raw = env.EVENT_FAULT_INJECTION;
  if (!raw) return undefined;
  if (env.NODE_ENV === 'production') throw new Error('EVENT_FAULT_INJECTION is for fault tests; NODE_ENV=production refuses it');
  const colon = raw.indexOf(':');
  if (colon <= 0 || colon === raw.length - 1) throw new Error(`EVENT_FAULT_INJECTION must be <event type>:<text>, got "${raw}"`);
  return { type: raw.slice(0, colon), bodyContains: raw.slice(colon + 1) };
}

/** Throws the injected failure when the event matches the fault. */
export function applyEventFault(fault: EventFault | undefined, type: string, body: string): void {
  if (fault && fault.type === type && body.includes(fault.bodyContains)) {
    throw new RpcError(StatusCode.INTERNAL, 'injected fault (EVENT_FAULT_INJECTION)');
  }
}
