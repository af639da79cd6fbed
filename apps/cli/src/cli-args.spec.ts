import { grantedScopes, SERVICE_SCOPES } from '@app/auth';
import { HELP, parseCliArgs } from './cli-args';
import { findMethod, readBody } from './commands/call.command';
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

  it("gives call examples in its help that the contract accepts, as an identity granted the target", () => {
    const examples = HELP.split('\n').filter((line) => /npm run cli -- call /.test(line));
    expect(examples.length).toBeGreaterThan(0);
    for (const line of examples) {
      const argv = line.slice(line.indexOf('-- call ') + 3).match(/'[^']*'|\S+/g)!.map((arg) => arg.replace(/^'(.*)'$/, '$1'));
      const args = parseCliArgs(argv);
      const { contract, method } = findMethod(args.positionals[0]);
      expect({ line, issues: method.request.safeParse(readBody(args.data)).error?.issues }).toEqual({ line, issues: undefined });
      expect(grantedScopes(SERVICE_SCOPES, args.as, contract.service)).not.toHaveLength(0);
    }
  });
});
