#!/usr/bin/env node
/** Builds every app to dist/apps/<app>/main.js with the Nest CLI (webpack), one after the other. */
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');
const { BUILD_TARGETS } = require('./apps');

const nest = join(__dirname, '..', 'node_modules', '.bin', 'nest');
for (const app of BUILD_TARGETS) {
  process.stdout.write(`building ${app}\n`);
  execFileSync(nest, ['build', app], { stdio: 'inherit', cwd: join(__dirname, '..') });
}
