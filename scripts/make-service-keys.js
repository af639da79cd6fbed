#!/usr/bin/env node
/**
 * Makes service identity keys offline (node:crypto only): an RS256 private key per service
 * (`<dir>/<service>.key.pem`, mode 0600, key id `<service>:<label>`) and one `<dir>/jwks.json` with their public
 * keys, which every service trusts. Prints the settings to use.
 *
 *   node scripts/make-service-keys.js ./keys orders inventory payments notifications gateway
 *
 * Options: --label <label> (default: the UTC time, e.g. 20250601T120000Z), --bits <2048|3072|4096> (2048),
 * --keep <old jwks.json> (rotation: publish the old public keys next to the new ones), --force (overwrite keys).
 *
 * Rotation: make new keys with --keep <current jwks.json> into a new folder, deploy its jwks.json to every
 * service (they accept old and new keys), then switch SERVICE_KEY_FILE / SERVICE_KEY_ID to the new keys; once
 * the old tokens have expired (SERVICE_TOKEN_TTL_SECONDS, 60 s), remove the old keys from jwks.json.
 */
const { generateKeyPairSync } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const SERVICE = /^[a-z][a-z0-9-]{0,62}$/;
const LABEL = /^[A-Za-z0-9._-]{1,64}$/;

function fail(message) {
  process.stderr.write(`make-service-keys: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { label: new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z'), bits: 2048, keep: undefined, force: false };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--force') options.force = true;
    else if (arg === '--label' || arg === '--bits' || arg === '--keep') {
      if (argv[i + 1] === undefined) fail(`${arg} needs a value`);
      options[arg.slice(2)] = argv[++i];
    } else if (arg.startsWith('--')) fail(`unknown option ${arg}`);
    else positional.push(arg);
  }
  const [dir, ...services] = positional;
  if (!dir || services.length === 0) {
    fail('usage: node scripts/make-service-keys.js <dir> <service...> [--label L] [--bits 2048] [--keep old-jwks.json] [--force]');
  }
  for (const service of services) if (!SERVICE.test(service)) fail(`"${service}" is not a service name (a-z, 0-9, -)`);
  if (new Set(services).size !== services.length) fail('a service is named twice');
  if (!LABEL.test(options.label)) fail('--label must be 1-64 letters, digits, . _ -');
  options.bits = Number(options.bits);
  if (![2048, 3072, 4096].includes(options.bits)) fail('--bits must be 2048, 3072 or 4096');
  return { dir: resolve(dir), services, ...options };
}

function keptKeys(file, newKids) {
  if (!file) return [];
  let document;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`--keep ${file}: ${error.code ?? 'not JSON'}`);
  }
  if (!Array.isArray(document.keys)) fail(`--keep ${file} has no "keys" array`);
  for (const key of document.keys) {
    if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'].some((m) => m in key)) fail(`--keep ${file} holds private key material`);
  }
  return document.keys.filter((key) => !newKids.has(key.kid));
}

const { dir, services, label, bits, keep, force } = parseArgs(process.argv.slice(2));
mkdirSync(dir, { recursive: true });
const jwksFile = join(dir, 'jwks.json');
for (const file of [...services.map((s) => join(dir, `${s}.key.pem`)), jwksFile]) {
  if (existsSync(file) && !force) fail(`${file} exists (use --force to overwrite, or another folder)`);
}

const published = [];
for (const service of services) {
  const kid = `${service}:${label}`;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  writeFileSync(join(dir, `${service}.key.pem`), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  published.push({ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' });
}
const kept = keptKeys(keep, new Set(published.map((key) => key.kid)));
writeFileSync(jwksFile, `${JSON.stringify({ keys: [...published, ...kept] }, null, 2)}\n`);

process.stdout.write(
  `wrote ${services.length} private key(s) and ${jwksFile} (${published.length} new, ${kept.length} kept public keys)\n` +
    'settings (each service reads its own key; {service} is replaced by the service name):\n' +
    `  SERVICE_KEY_FILE=${join(dir, '{service}.key.pem')}\n` +
    `  SERVICE_KEY_ID={service}:${label}\n` +
    `  SERVICE_JWKS_FILE=${jwksFile}\n` +
    'keep the private keys out of version control and images; only jwks.json is public.\n',
);
