import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchReport, Measurement } from './report/measurement';
import { updateReadme } from './report/readme-section';
import { describeMachine, writeReport } from './report/write-report';
import { summarizeProfiles } from './profile/summarize-profiles';
import { runRpcSuite } from './rpc/rpc-suite';
import { BenchEnvironment } from './run/bench-environment';
import { parseBenchArgs } from './run/bench-plan';
import { runEventSuite } from './events/event-suite';
import { runOutboxDrain } from './events/outbox-drain';
import { runGatewaySuite } from './gateway/gateway-suite';
import { runOrderFlow } from './flow/order-flow';
import { runSoak } from './soak/soak';

/**
 * `npm run bench`: request/reply per transport for the raw client, Nest's stock transport, Moleculer (NATS, TCP)
 * and Switchboard as the apps start it (and fully traced), the event bus against the raw broker clients, the
 * gateway end to end over HTTP, and the order flow (orders offered at a steady rate, followed to CONFIRMED), all in
 * one run on the brokers it starts itself.
 * Writes <out>/latest.json, chart.svg and table.md, and prints the table.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const plan = parseBenchArgs(argv, join(__dirname, 'results'));
  if (plan.from) {
    const report = JSON.parse(readFileSync(plan.from, 'utf8')) as BenchReport;
    publish(plan.outDir, report, plan.readme);
    return;
  }
  if (plan.cpuProfDir) mkdirSync(plan.cpuProfDir, { recursive: true });
  const log = (line: string) => console.log(line);
  const machine = describeMachine();
  const started = Date.now();
  const env = new BenchEnvironment();
  await env.start();
  const measurements: Measurement[] = [];
  try {
    if (plan.soakMinutes > 0) {
      await runSoak(plan, env, log);
      return;
    }
    if (plan.suites.includes('rpc')) measurements.push(...(await runRpcSuite(plan, env, log)));
    if (plan.suites.includes('events')) measurements.push(...(await runEventSuite(plan, env, log)), ...(await runOutboxDrain(plan, env, log)));
    if (plan.suites.includes('gateway')) measurements.push(...(await runGatewaySuite(plan, env, log)));
    if (plan.suites.includes('flow')) measurements.push(...(await runOrderFlow(plan, env, log)));
  } finally {
    await env.stop();
  }
  const report: BenchReport = {
    date: new Date(started).toISOString(),
    machine,
    plan: { warmupMs: plan.warmupMs, durationMs: plan.durationMs, quick: plan.quick, argv },
    measurements,
    notes: [
      `whole run: ${Math.round((Date.now() - started) / 1000)} s`,
      'server, client and broker are separate processes; CPU is each one\'s CPU time in the measured window (from /proc), in % of one core',
    ],
  };
  publish(plan.outDir, report, plan.readme);
  if (plan.cpuProfDir) console.log(summarizeProfiles(plan.cpuProfDir));
}

/** Writes latest.json, chart.svg and table.md, prints the table, and with `readme` puts it into docs/performance.md. */
function publish(outDir: string, report: BenchReport, readme: boolean): void {
  const markdown = writeReport(outDir, report);
  console.log(`\n${markdown}\nwrote ${outDir}/latest.json, chart.svg, table.md`);
  if (readme) {
    updateReadme(join(__dirname, '..', 'docs', 'performance.md'), markdown);
    console.log('updated the table in docs/performance.md');
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
