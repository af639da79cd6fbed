import { parseBenchArgs } from './bench-plan';

describe('bench command line', () => {
  it('runs everything by default: c=1 and 64, both payloads, 1 s warm-up and 3 s windows', () => {
    const plan = parseBenchArgs([], 'out');
    expect(plan).toMatchObject({ concurrencies: [1, 64], payloads: ['small', 'large'], warmupMs: 1000, durationMs: 3000, soakMinutes: 0 });
    expect(plan.suites).toEqual(['rpc', 'events', 'gateway', 'flow']);
    expect(plan.flow).toEqual({ ratePerSecond: 300, seconds: 60, transports: ['nats'] });
    expect(plan.cpuProfDir).toBeUndefined();
  });

  it('takes --quick, filters, --cpu-prof, --soak and --out', () => {
    const plan = parseBenchArgs(['--quick', '--transport', 'nats,tcp', '--only', 'rpc,switchboard', '--cpu-prof', '--soak', '2', '--out', '/tmp/x'], 'out');
    expect(plan).toMatchObject({ quick: true, concurrencies: [64], payloads: ['small'], transports: ['nats', 'tcp'], suites: ['rpc'] });
    expect(plan).toMatchObject({ stacks: ['switchboard'], cpuProfDir: '/tmp/x/profiles', soakMinutes: 2, outDir: '/tmp/x' });
    expect(parseBenchArgs(['--soak'], 'out').soakMinutes).toBe(5);
  });

  it('takes the rpc stacks by name, Moleculer and the fully traced Switchboard included', () => {
    expect(parseBenchArgs(['--only', 'moleculer,switchboard,switchboard-traced'], 'out').stacks).toEqual(['moleculer', 'switchboard', 'switchboard-traced']);
    expect(parseBenchArgs([], 'out').stacks).toEqual(['raw', 'nest', 'moleculer', 'switchboard', 'switchboard-traced']);
    expect(() => parseBenchArgs(['--only', 'seneca'], 'out')).toThrow('unknown "seneca"');
  });

  it('offers the order flow at a chosen rate for a chosen time, over the chosen transports', () => {
    expect(parseBenchArgs(['--quick'], 'out').flow).toEqual({ ratePerSecond: 300, seconds: 10, transports: ['nats'] });
    expect(parseBenchArgs(['--flow-rate', '50', '--flow-seconds', '5', '--transport', 'redis'], 'out').flow).toEqual({
      ratePerSecond: 50,
      seconds: 5,
      transports: ['redis'],
    });
    expect(() => parseBenchArgs(['--flow-rate', '0'], 'out')).toThrow('positive integer');
  });

  it('renders a saved run again with --from, into the README with --readme', () => {
    expect(parseBenchArgs(['--from', 'bench/results/latest.json', '--readme'], 'out')).toMatchObject({ from: 'bench/results/latest.json', readme: true });
    expect(() => parseBenchArgs(['--from'], 'out')).toThrow('--from needs a latest.json');
  });

  it('refuses unknown options and values', () => {
    expect(() => parseBenchArgs(['--fast'], 'out')).toThrow('unknown option "--fast"');
    expect(() => parseBenchArgs(['--transport', 'kafka'], 'out')).toThrow('unknown "kafka"');
    expect(() => parseBenchArgs(['--duration', '-5'], 'out')).toThrow('positive integer');
    expect(() => parseBenchArgs(['--only'], 'out')).toThrow('--only needs a value');
  });
});
