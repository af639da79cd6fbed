import type { MethodRef } from '@app/contracts';
import { BULKHEAD_FULL, OutboundCall, RpcError, StatusCode } from '@app/transport';
import { loadResilienceConfig } from '../config/resilience-config';
import { bulkheadInterceptor } from './bulkhead.interceptor';

const call: OutboundCall = { method: { pattern: 'inventory.v1.Reserve' } as MethodRef, payload: {}, body: '{}', metadata: {}, deadline: 0 };

describe('bulkheadInterceptor', () => {
  it('runs `limit` calls, queues `queue` more, and refuses the rest at once with RESOURCE_EXHAUSTED', async () => {
    const intercept = bulkheadInterceptor('inventory', loadResilienceConfig({}, { bulkheadLimit: 2, bulkheadQueue: 1 }));
    const gates: (() => void)[] = [];
    const slow = jest.fn(() => new Promise<string>((resolve) => gates.push(() => resolve('done'))));
    const accepted = [intercept(call, slow), intercept(call, slow), intercept(call, slow)];
    const refused = await intercept(call, slow).catch((e: RpcError) => e);
    expect(refused).toMatchObject({ code: StatusCode.RESOURCE_EXHAUSTED, details: { reason: BULKHEAD_FULL, limit: 2, queue: 1 } });
    expect(slow).toHaveBeenCalledTimes(2);
    gates.splice(0).forEach((open) => open());
    await new Promise((r) => setImmediate(r));
    expect(slow).toHaveBeenCalledTimes(3);
    gates.splice(0).forEach((open) => open());
    await expect(Promise.all(accepted)).resolves.toEqual(['done', 'done', 'done']);
  });
});
