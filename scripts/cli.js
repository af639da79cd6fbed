#!/usr/bin/env node
/** `npm run cli -- <command>`: runs the built operator CLI (dist/apps/cli/main.js); see `npm run cli -- --help`. */
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'apps', 'cli', 'main.js');
if (!existsSync(main)) {
  console.error('dist/apps/cli/main.js is missing: run "npm run build" first');
  process.exit(1);
}
require(main);
