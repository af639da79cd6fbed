import type { BenchReport, Measurement } from './measurement';
import { checkTargets, measuredText, p99Ratio, throughputRatio, verdict } from './ratios';

const num = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const times = (value: number | null) => (value === null ? '—' : `${value.toFixed(2)}x`);

function cpu(m: Measurement): string {
  return Object.entries(m.cpuPercent)
    .map(([role, percent]) => `${role} ${num(percent)}%`)
    .join(', ');
}

/** The run as markdown: where and when, one row per measurement with its ratios to raw and Moleculer, then the targets. */
export function markdownReport(report: BenchReport): string {
  const { machine } = report;
  const lines = [
    `Run of ${report.date} on ${machine.cpus} (${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}), ` +
      `load average at start ${machine.loadAverage.map((l) => l.toFixed(1)).join(' / ')}; warm-up ${report.plan.warmupMs} ms, window ${report.plan.durationMs} ms per cell.`,
    '',
    '| suite | transport | stack | c | payload | throughput /s | x raw | x moleculer | p50 ms | p99 ms | p99 x raw | CPU µs/call | CPU per process | errors |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const m of report.measurements) {
    const vsRaw = m.suite === 'gateway' || m.stack === 'raw' ? null : throughputRatio(report.measurements, m.suite, m.stack, m.transport, m.concurrency, m.payload);
    const p99 = m.suite === 'gateway' || m.stack === 'raw' ? null : p99Ratio(report.measurements, m.suite, m.stack, m.transport, m.concurrency, m.payload);
    const vsMoleculer =
      m.suite !== 'rpc' || m.stack === 'moleculer' ? null : throughputRatio(report.measurements, m.suite, m.stack, m.transport, m.concurrency, m.payload, 'moleculer');
    lines.push(
      `| ${m.suite} | ${m.transport} | ${m.stack} | ${m.concurrency} | ${m.payload} | ${num(m.throughput)} | ${times(vsRaw)} | ${times(vsMoleculer)} | ` +
        `${num(m.p50Ms, 2)} | ${num(m.p99Ms, 2)} | ${times(p99)} | ${num(m.cpuUsPerCall)} | ${cpu(m)} | ${m.errors} |`,
    );
  }
  lines.push('', '| target of issue 13 (c=64, small payload unless said) | goal | measured | verdict | detail |', '|---|---|---|---|---|');
  for (const check of checkTargets(report.measurements)) {
    lines.push(`| ${check.target} | ${check.goal} | ${measuredText(check)} | ${verdict(check)} | ${check.detail} |`);
  }
  const memory = report.measurements.filter((m) => m.rssMiB);
  if (memory.length) {
    lines.push('', '| memory (RSS MiB, idle -> under load) | process | idle | load |', '|---|---|---|---|');
    const seen = new Set<string>();
    for (const m of memory) {
      for (const [role, rss] of Object.entries(m.rssMiB ?? {})) {
        const key = `${m.suite} ${m.stack}/${m.transport} ${role}`;
        if (seen.has(key) || role === 'broker') continue;
        seen.add(key);
        const peak = Math.max(...memory.filter((o) => o.suite === m.suite && o.stack === m.stack && o.transport === m.transport).map((o) => o.rssMiB?.[role]?.load ?? NaN));
        lines.push(`| ${m.suite} ${m.stack}/${m.transport} | ${role} | ${num(rss.idle)} | ${num(peak)} |`);
      }
    }
  }
  if (report.notes.length) lines.push('', ...report.notes.map((n) => `- ${n}`));
  return lines.join('\n') + '\n';
}
