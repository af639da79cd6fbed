#!/usr/bin/env node
/**
 * The contracts' breaking-change check: `buf breaking` (from the @bufbuild/buf npm package) of
 * libs/contracts/proto against the same folder on a git ref (`main` unless CONTRACTS_BASE_REF names another).
 * A change that breaks compatibility with that ref (a removed or renumbered field, a changed type, a renamed
 * field, rpc or service) fails with buf's list of problems. The TypeScript contracts cannot drift from the
 * .proto files (libs/contracts/src/proto-drift.spec.ts), so they are held to the same line.
 *
 * The comparison is with the merge base of HEAD and that ref, so a branch is judged by its own changes (not by
 * newer ones on main it has not merged yet). The folder is taken with `git archive` into a temporary directory: that works the same in a clone, in a
 * worktree (where .git is a file) and in CI's clone of main (where the check compares main with itself and
 * passes). A new version of a contract (orders/v2) lives beside the old one; breaking one in place is refused.
 *
 * Usage: node scripts/check-contracts.js [--repo <dir>] [--proto <path inside the repo>] [--against <ref>]
 */
const { execFileSync, spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync, existsSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const DEFAULT_PROTO = 'libs/contracts/proto';

/** The buf binary of the @bufbuild/buf package (no download: the package ships it). */
function bufBinary() {
  return join(resolve(__dirname, '..'), 'node_modules', '.bin', 'buf');
}

/**
 * Runs the check. Returns `{ ok, output }`: ok is false when buf found a breaking change; throws when the check
 * itself cannot run (no such ref, no proto folder there, buf missing), so a broken setup never passes silently.
 */
function checkContracts({ repo = resolve(__dirname, '..'), proto = DEFAULT_PROTO, against = process.env.CONTRACTS_BASE_REF || 'main' } = {}) {
  const git = (...args) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const exists = (ref) => {
    try {
      git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
      return true;
    } catch {
      return false;
    }
  };
  // A clone that has main only as a remote-tracking branch compares with origin/main.
  if (!exists(against) && exists(`origin/${against}`)) against = `origin/${against}`;
  if (!exists(against)) {
    throw new Error(`contracts check: git ref "${against}" not found in ${repo} (set CONTRACTS_BASE_REF to the branch to compare with)`);
  }
  // Where this branch left `against`: a branch behind main is judged by its own changes, not by main's newer ones.
  const base = git('merge-base', 'HEAD', against).trim();
  const current = join(repo, proto);
  if (!existsSync(current)) throw new Error(`contracts check: ${current} does not exist`);
  const dir = mkdtempSync(join(tmpdir(), 'sb-contracts-'));
  try {
    const archive = spawnSync('git', ['-C', repo, 'archive', '--format=tar', base, '--', proto], { maxBuffer: 64 * 1024 * 1024 });
    if (archive.status !== 0) {
      throw new Error(`contracts check: ${proto} is not on ${against}: ${archive.stderr.toString().trim()}`);
    }
    execFileSync('tar', ['-x', '-C', dir], { input: archive.stdout });
    const buf = spawnSync(bufBinary(), ['breaking', current, '--against', join(dir, proto), '--error-format', 'text'], {
      encoding: 'utf8',
    });
    if (buf.error) throw new Error(`contracts check: cannot run buf (${buf.error.message}); run npm ci`);
    const output = `${buf.stdout}${buf.stderr}`.trim();
    // buf breaking: 0 = compatible, 100 = breaking changes found, anything else = it could not compare.
    if (buf.status === 0) return { ok: true, output };
    if (buf.status === 100) return { ok: false, output };
    throw new Error(`contracts check: buf failed (exit ${buf.status}): ${output}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { checkContracts };

if (require.main === module) {
  const arg = (name) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const options = { repo: arg('repo'), proto: arg('proto'), against: arg('against') };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  try {
    const { ok, output } = checkContracts(options);
    const against = options.against || process.env.CONTRACTS_BASE_REF || 'main';
    if (ok) {
      process.stdout.write(`contracts: no breaking change against ${against}\n`);
    } else {
      process.stderr.write(`contracts: breaking changes against ${against}:\n${output}\n`);
      process.exit(1);
    }
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}
