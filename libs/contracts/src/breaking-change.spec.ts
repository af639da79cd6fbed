import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTRACTS_PROTO_ROOT } from './proto-root';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkContracts } = require('../../../scripts/check-contracts') as {
  checkContracts(options: { repo: string; proto?: string; against?: string }): { ok: boolean; output: string };
};

/**
 * The breaking-change check (scripts/check-contracts.js, run by `npm test`) on a throw-away git repository that
 * holds a copy of the real contracts on `main`: each deliberately breaking edit of the working tree is caught,
 * a compatible one passes.
 */
describe('contracts breaking-change check (buf)', () => {
  let repo: string;
  const proto = 'libs/contracts/proto';
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'pipe' });
  const file = (path: string) => join(repo, proto, path);
  let original: string;

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'sb-breaking-'));
    git('init', '-q', '-b', 'main');
    cpSync(CONTRACTS_PROTO_ROOT, join(repo, proto), { recursive: true });
    git('add', '.');
    git('-c', 'user.name=test', '-c', 'user.email=test@example.invalid', 'commit', '-qm', 'contracts');
    original = readFileSync(file('orders/v1/orders.proto'), 'utf8');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));
  afterEach(() => writeFileSync(file('orders/v1/orders.proto'), original));

  const edit = (from: string | RegExp, to: string) => {
    const changed = original.replace(from, to);
    expect(changed).not.toBe(original);
    writeFileSync(file('orders/v1/orders.proto'), changed);
  };

  it('passes the unchanged contracts and a compatible addition (a new field)', () => {
    expect(checkContracts({ repo, proto }).ok).toBe(true);
    edit('string created_at = 7;', 'string created_at = 7;\n  string note = 8;');
    expect(checkContracts({ repo, proto })).toEqual({ ok: true, output: '' });
  });

  it.each([
    ['a removed field', 'optional string reason = 6;\n', '', /reason|6/],
    ['a changed type', 'int32 total_cents = 5;', 'int64 total_cents = 5;', /changed type/],
    ['a changed field number', 'string payment_method = 3;', 'string payment_method = 9;', /payment_method|3/],
    ['a renamed field', 'string id = 1;\n  string customer_id = 2;', 'string id = 1;\n  string customer = 2;', /name/],
    ['a renamed rpc', 'rpc GetOrder(', 'rpc FetchOrder(', /GetOrder/],
  ])('fails on %s', (_what, from, to, problem) => {
    edit(from, to);
    const result = checkContracts({ repo, proto });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(problem);
  });

  it('refuses to run against a ref that does not exist (never a silent pass)', () => {
    expect(() => checkContracts({ repo, proto, against: 'no-such-branch' })).toThrow(/no-such-branch/);
  });
});
