import { offerAtRate } from './open-loop';

describe('open-loop load', () => {
  it('starts rate x duration sends on schedule, whether or not earlier ones answered, and waits for them', async () => {
    const startedAt: number[] = [];
    const result = await offerAtRate({ ratePerSecond: 200, durationMs: 250, maxInFlight: 1000 }, async () => {
      startedAt.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 100));
    });
    expect(result).toMatchObject({ started: 50, overflow: 0 });
    // Open loop: sends that take 100 ms each still all start within the 250 ms, not one after another.
    expect(startedAt.at(-1)! - startedAt[0]).toBeLessThan(1000);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(100);
  });

  it('counts the sends due while too many are unsettled as overflow, and a failed send does not stop the offer', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const offer = offerAtRate({ ratePerSecond: 400, durationMs: 100, maxInFlight: 10 }, async (index) => {
      calls++;
      if (index % 2) throw new Error('refused');
      await gate;
    });
    setTimeout(release, 300);
    const result = await offer;
    expect(result.started).toBe(calls);
    expect(result.started + result.overflow).toBe(40);
    expect(result.overflow).toBeGreaterThan(0);
  });
});
