import { callSteps } from './call-steps';

describe('callSteps', () => {
  // root -> dispatch (switchboard.server.ts) -> encodePayload -> JSON.stringify (native); dispatch -> promise hook; idle
  const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({ id, callFrame: { functionName, url }, children });
  const profile = {
    nodes: [
      frame(1, '(root)', '', [2, 6]),
      frame(2, 'dispatch', 'file:///x/libs/transport/src/server/switchboard.server.ts', [3, 5]),
      frame(3, 'encodePayload', 'file:///x/libs/transport/src/wire/json-codec.ts', [4]),
      frame(4, 'stringify', ''),
      frame(5, 'promiseInitHook', 'node:internal/async_hooks'),
      frame(6, '(idle)', ''),
    ],
    samples: [4, 4, 5, 2, 6, 6, 6],
  };

  it('charges each busy sample to the step of its innermost recognised frame, idle left out', () => {
    const shares = Object.fromEntries(callSteps(profile).map(({ step, share }) => [step, share]));
    expect(shares['encode (JSON, metadata)']).toBeCloseTo(2 / 4);
    expect(shares['async context and promises (async_hooks)']).toBeCloseTo(1 / 4);
    expect(shares['server dispatch (Nest pipeline, context, deadline)']).toBeCloseTo(1 / 4);
    expect(shares.other).toBe(0);
  });
});
