import { everyOrderFinal, flowOutcome, OfferedOrder } from './flow-outcome';

const order = (postedAt: number, extra: Partial<OfferedOrder>): OfferedOrder => ({ postedAt, ...extra });

describe('order flow outcome', () => {
  it('counts accepted, refused, failed, confirmed, rejected and unfinished orders, with POST -> CONFIRMED quantiles', () => {
    const orders: OfferedOrder[] = [
      ...Array.from({ length: 98 }, (_, i) => order(i, { httpStatus: 202, answeredAt: i + 5, orderId: `o${i}`, finalStatus: 'CONFIRMED', finalAt: i + 10 + i })),
      order(200, { httpStatus: 202, answeredAt: 210, orderId: 'r', finalStatus: 'REJECTED', finalAt: 260 }),
      order(300, { httpStatus: 202, answeredAt: 301, orderId: 'stuck' }),
      order(400, { httpStatus: 503, answeredAt: 401 }),
      order(500, {}),
    ];
    const outcome = flowOutcome(orders, 300);
    expect(outcome).toMatchObject({ offeredPerSecond: 300, offered: 102, accepted: 100, refused: 1, firstRefusal: 'HTTP 503', failed: 1 });
    expect(outcome).toMatchObject({ confirmed: 98, rejected: 1, notFinal: 1 });
    // POST -> CONFIRMED of order i is 10 + i ms: 10..107.
    expect(outcome.confirmP50Ms).toBe(58);
    expect(outcome.confirmP99Ms).toBe(107);
    expect(outcome.confirmMaxMs).toBe(107);
    expect(outcome.acceptP99Ms).toBe(5);
    expect(everyOrderFinal(outcome)).toBe(false);
  });

  it('is met only when every offered order was accepted and reached a final state', () => {
    const done = [order(0, { httpStatus: 202, answeredAt: 1, orderId: 'a', finalStatus: 'CONFIRMED', finalAt: 3 })];
    expect(everyOrderFinal(flowOutcome(done, 1))).toBe(true);
    expect(everyOrderFinal(flowOutcome([...done, order(1, { httpStatus: 429, answeredAt: 2 })], 1))).toBe(false);
    expect(everyOrderFinal(flowOutcome([], 1))).toBe(false);
    expect(flowOutcome([], 1).confirmP99Ms).toBeNaN();
    // Orders the offer could not send (too many unanswered) count as offered and not accepted.
    expect(everyOrderFinal(flowOutcome(done, 1, 1))).toBe(false);
    expect(flowOutcome(done, 1, 1).offered).toBe(2);
  });
});
