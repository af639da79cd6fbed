#!/usr/bin/env node
/**
 * `npm run start:dev -- <app>` (default `system`): builds with SWC (scripts/build-all.js), runs
 * dist/apps/<app>/main.js, and on every change under apps/ or libs/ (.ts outside specs, .proto) stops the app
 * (SIGTERM, so its shutdown hooks run), rebuilds (about a second) and starts it again. Ctrl-C stops it.
 * Environment (TRANSPORT, ports...) passes through as with `npm start`.
 */
const { spawn } = require('node:child_process');
const { watch } = require('node:fs');
const { join } = require('node:path');
const { BUILD_TARGETS } = require('./apps');
const { build } = require('./build-all');

const root = join(__dirname, '..');
const app = process.argv[2] || 'system';
if (!BUILD_TARGETS.includes(app)) {
  console.error(`unknown app "${app}"; one of: ${BUILD_TARGETS.join(', ')}`);
  process.exit(1);
}
const log = (text) => process.stdout.write(`[start:dev] ${text}\n`);

let child;
let stopping = false;
let timer;
/** One restart at a time: changes that arrive while the app stops fold into that restart. */
let restarting = false;
let changedAgain = false;

function stopChild() {
  if (!child) return Promise.resolve();
  const running = child;
  return new Promise((resolve) => {
    running.once('exit', resolve);
    running.kill('SIGTERM');
    setTimeout(() => running.kill('SIGKILL'), 10_000).unref();
  });
}

function start() {
  try {
    const started = Date.now();
    build({ clean: false });
    log(`built in ${Date.now() - started} ms; starting ${app}`);
  } catch {
    log('build failed; waiting for the next change');
    return;
  }
  const current = spawn(process.execPath, ['--enable-source-maps', join(root, 'dist', 'apps', app, 'main.js'), ...process.argv.slice(3)], {
    stdio: 'inherit',
  });
  child = current;
  current.on('exit', (code, signal) => {
    if (child === current) child = undefined;
    if (stopping) process.exit(code ?? 0);
    if (!restarting) log(`${app} exited (${signal ?? code}); waiting for a change`);
  });
}

async function restart(file) {
  log(`${file} changed: restarting ${app}`);
  if (restarting) return void (changedAgain = true);
  restarting = true;
  do {
    changedAgain = false;
    await stopChild();
  } while (changedAgain && !stopping);
  restarting = false;
  if (!stopping) start();
}

const relevant = (file) => file && /\.(ts|proto)$/.test(file) && !/\.(spec|e2e-spec|conformance-spec)\.ts$/.test(file);
for (const dir of ['apps', 'libs']) {
  watch(join(root, dir), { recursive: true }, (_event, file) => {
    if (!relevant(file)) return;
    clearTimeout(timer);
    timer = setTimeout(() => void restart(join(dir, file)), 150);
  });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopping = true;
    if (!child) process.exit(0);
    child.kill(signal);
  });
}
start();
