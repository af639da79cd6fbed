#!/usr/bin/env node
/**
 * Builds every app at once with SWC (no type check: `npm run typecheck` does that, and `npm test` runs it).
 * apps/ and libs/ compile file by file into dist/ with the same layout (dist/apps/orders/src/main.js,
 * dist/libs/transport/src/...), the `@app/*` aliases rewritten to relative paths (swc.build.json), the .proto tree copied to
 * dist/libs/contracts/proto (where libs/contracts/src/proto-root.ts finds it), and each app gets its entry
 * dist/apps/<app>/main.js, the path that `npm start`, the tests, the Dockerfile and the manifests run.
 */
const { execFileSync } = require('node:child_process');
const { cpSync, mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { BUILD_TARGETS } = require('./apps');

const root = join(__dirname, '..');

/**
 * `clean` empties the output folder first (npm run build); watch mode (scripts/dev.js) rebuilds over it.
 * `dist` is another output folder (deploy/build.spec.ts builds into a temporary one).
 */
function build({ clean = true, dist = join(root, 'dist') } = {}) {
  if (clean) rmSync(dist, { recursive: true, force: true });
  execFileSync(join(root, 'node_modules', '.bin', 'swc'), ['apps', 'libs', '--out-dir', dist, '--config-file', 'swc.build.json', '--quiet'], {
    cwd: root,
    stdio: 'inherit',
  });
  cpSync(join(root, 'libs/contracts/proto'), join(dist, 'libs/contracts/proto'), {
    recursive: true,
    filter: (source) => !/\.[^/]+$/.test(source) || source.endsWith('.proto'),
  });
  for (const app of BUILD_TARGETS) {
    mkdirSync(join(dist, 'apps', app), { recursive: true });
    writeFileSync(join(dist, 'apps', app, 'main.js'), `// Entry of ${app}, written by scripts/build-all.js.\nrequire('./src/main');\n`);
  }
}
module.exports = { build };

if (require.main === module) {
  const started = Date.now();
  build();
  process.stdout.write(`built ${BUILD_TARGETS.join(', ')} to dist/apps/<app>/main.js in ${Date.now() - started} ms\n`);
}
