import { EVENT_TYPES, tailEvents } from './tail-events.command';

describe('events tail', () => {
  const never = new Promise<void>(() => undefined);

  it('knows every event type of the contracts', () => {
    expect(EVENT_TYPES).toEqual(expect.arrayContaining(['orders.v1.OrderPlaced', 'orders.v1.OrderConfirmed', 'inventory.v1.StockReserved', 'payments.v1.PaymentCaptured']));
  });

  it('refuses an unknown event type, naming the known ones', async () => {
    await expect(tailEvents({ types: ['orders.v1.OrderLost'], stop: never, onEvent: () => undefined })).rejects.toThrow(
      /unknown event type orders.v1.OrderLost; types: .*orders.v1.OrderPlaced/,
    );
  });

  it('refuses the in-process memory bus', async () => {
    const saved = { TRANSPORT: process.env.TRANSPORT, EVENT_BUS: process.env.EVENT_BUS };
    try {
      delete process.env.TRANSPORT;
      delete process.env.EVENT_BUS;
      await expect(tailEvents({ types: EVENT_TYPES, stop: never, onEvent: () => undefined })).rejects.toThrow(/memory event bus lives inside the system process/);
    } finally {
      for (const [key, value] of Object.entries(saved)) if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
});
