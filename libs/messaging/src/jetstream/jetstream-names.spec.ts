import { JetStreamNames, sanitizeName } from './jetstream-names';

describe('JetStreamNames', () => {
  it('starts every name with the namespace and keeps only characters a stream or consumer name may hold', () => {
    expect(JetStreamNames.stream('sb')).toBe('sb_events');
    expect(JetStreamNames.durable('ev-1a2b', 'billing-t3', 'orders.v1.OrderPlaced')).toBe('ev-1a2b__billing-t3__orders_v1_OrderPlaced');
    expect(sanitizeName('a.b c*d>e/f\\g')).toBe('a_b_c_d_e_f_g');
  });

  it('maps a type to its subject and back, and refuses subjects of other namespaces', () => {
    const subject = JetStreamNames.subject('sb', 'orders.v1.OrderPlaced');
    expect(subject).toBe('sb.events.orders.v1.OrderPlaced');
    expect(JetStreamNames.typeOf('sb', subject)).toBe('orders.v1.OrderPlaced');
    expect(JetStreamNames.typeOf('other', subject)).toBeUndefined();
    expect(JetStreamNames.typeOf('sb', 'sb.events.')).toBeUndefined();
  });

  it('shortens a long name with a hash, so two long names stay apart', () => {
    const a = sanitizeName(`ns__${'g'.repeat(300)}__a`);
    const b = sanitizeName(`ns__${'g'.repeat(300)}__b`);
    expect(a.length).toBeLessThanOrEqual(200);
    expect(a).not.toBe(b);
  });
});
