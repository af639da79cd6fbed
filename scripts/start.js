#!/usr/bin/env node
/**
 * Runs the whole system from dist/ (build first). With TRANSPORT unset or `memory`, all five apps run in one
 * process. With TRANSPORT=nats|redis|grpc|tcp, each app runs as its own process with prefixed logs; Ctrl-C
 * (SIGINT) or SIGTERM stops them all.
 */
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { APPS } = require('./apps');

const root = join(__dirname, '..');
const transport = (process.env.TRANSPORT || 'memory').toLowerCase();
const targets = transport === 'memory' ? ['system'] : APPS;
for (const app of targets) {
  if (!existsSync(join(root, 'dist/apps', app, 'main.js'))) {
    console.error(`dist/apps/${app}/main.js is missing: run "npm run build" first`);
    process.exit(1);
  }
}

const children = new Map();
let stopping = false;
const width = Math.max(...targets.map((a) => a.length));

function prefixLines(app, stream, out) {
  let rest = '';
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const line of lines) out.write(`${app.padEnd(width)} | ${line}\n`);
  });
  stream.on('end', () => rest && out.write(`${app.padEnd(width)} | ${rest}\n`));
}

function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) child.kill(signal);
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  }, 15_000).unref();
}

for (const app of targets) {
  const child = spawn(process.execPath, [join(root, 'dist/apps', app, 'main.js')], {
    env: { ...process.env, TRANSPORT: transport },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(app, child);
  prefixLines(app, child.stdout, process.stdout);
  prefixLines(app, child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(app);
    console.log(`${app.padEnd(width)} | exited (${signal ?? code})`);
    if (!stopping) {
      process.exitCode = 1;
      stopAll('SIGTERM');
    }
    if (children.size === 0) process.exit();
  });
}
process.on('SIGINT', () => stopAll('SIGTERM'));
process.on('SIGTERM', () => stopAll('SIGTERM'));
