import { areaOf, CpuProfile, summarizeProfile } from './cpu-profile-summary';

describe('cpu profile summary', () => {
  const profile: CpuProfile = {
    startTime: 0,
    endTime: 1,
    nodes: [
      { id: 1, hitCount: 0, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
      { id: 2, hitCount: 50, callFrame: { functionName: 'parse', url: 'file:///x/node_modules/nats/lib/parser.js', lineNumber: 9 } },
      { id: 3, hitCount: 30, callFrame: { functionName: 'call', url: 'file:///x/libs/transport/src/client/rpc-client.ts', lineNumber: 24 } },
      { id: 4, hitCount: 20, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
    ],
  };

  it('ranks functions and areas by self time', () => {
    const summary = summarizeProfile(profile, 2);
    expect(summary.functions).toEqual([
      { name: 'parse (node_modules/nats/lib/parser.js:10)', selfPercent: 50 },
      { name: 'call (libs/transport/src/client/rpc-client.ts:25)', selfPercent: 30 },
    ]);
    expect(summary.areas.map((a) => a.name)).toEqual(['nats', 'libs/transport']);
  });

  it('names the area of a frame', () => {
    expect(areaOf('file:///a/node_modules/@nestjs/core/x.js', 'f')).toBe('@nestjs/core');
    expect(areaOf('node:internal/util', 'deprecate')).toBe('node');
    expect(areaOf('', '(idle)')).toBe('(idle)');
  });
});
