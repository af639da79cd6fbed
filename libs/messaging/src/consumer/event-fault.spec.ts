import { StatusCode } from '@app/transport';
import { applyEventFault, loadEventFault } from './event-fault';

describe('event fault injection', () => {
  it('is off by default and parses <type>:<text>', () => {
    expect(loadEventFault({})).toBeUndefined();
    expect(loadEventFault({ EVENT_FAULT_INJECTION: 'orders.v1.OrderConfirmed:"customerId":"poison"' })).toEqual({
      type: 'orders.v1.OrderConfirmed',
      bodyContains: '"customerId":"poison"',
    });
  });

  it('refuses a malformed value and any value in production', () => {
    expect(() => loadEventFault({ EVENT_FAULT_INJECTION: 'no-colon' })).toThrow('<event type>:<text>');
    expect(() => loadEventFault({ EVENT_FAULT_INJECTION: 'type:' })).toThrow('<event type>:<text>');
    expect(() => loadEventFault({ EVENT_FAULT_INJECTION: 't:x', NODE_ENV: 'production' })).toThrow('production');
  });

  it('fails only matching events of the type', () => {
    const fault = { type: 't', bodyContains: 'poison' };
    expect(() => applyEventFault(fault, 't', '{"c":"poison"}')).toThrow(expect.objectContaining({ code: StatusCode.INTERNAL }));
    expect(() => applyEventFault(fault, 't', '{"c":"fine"}')).not.toThrow();
    expect(() => applyEventFault(fault, 'other', '{"c":"poison"}')).not.toThrow();
    expect(() => applyEventFault(undefined, 't', 'poison')).not.toThrow();
  });
});
