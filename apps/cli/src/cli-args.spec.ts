import { parseCliArgs } from './cli-args';
import { CliError } from './cli-error';

describe('parseCliArgs', () => {
  it('reads a call with its body, identity, timeout and metadata', () => {
    expect(parseCliArgs(['call', 'orders.v1.GetOrder', '-d', '{"orderId":"o-1"}', '--as', 'orders', '--timeout', '2500', '-m', 'X-Team=ops', '-m', 'a=b=c'])).toMatchObject({
      command: 'call',
      positionals: ['orders.v1.GetOrder'],
      data: '{"orderId":"o-1"}',
      as: 'orders',
      timeoutMs: 2500,
      metadata: { 'x-team': 'ops', a: 'b=c' },
    });
  });

  it('defaults to the gateway identity and no timeout', () => {
    expect(parseCliArgs(['health'])).toMatchObject({ command: 'health', as: 'gateway', timeoutMs: undefined, json: false, help: false });
  });

  it.each([
    [['call', '--nope'], /Unknown option '--nope'/],
    [['call', 'x', '--timeout', 'soon'], /--timeout must be 1\.\.3600000 ms; got "soon"/],
    [['call', 'x', '--timeout', '0'], /--timeout/],
    [['call', 'x', '-m', 'novalue'], /--metadata takes KEY=VALUE; got "novalue"/],
    [['call', 'x', '-d'], /argument missing/],
  ])('refuses %j as a usage error', (argv, message) => {
    let thrown: unknown;
    try {
      parseCliArgs(argv);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).exitCode).toBe(2);
    expect((thrown as CliError).message).toMatch(message);
    expect((thrown as CliError).message).toMatch(/--help/);
  });
});
