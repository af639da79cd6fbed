import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, type, release } from 'node:os';
import { join } from 'node:path';
import { markdownReport } from './markdown-table';
import type { BenchReport, Measurement } from './measurement';
import { chartGroups, svgChart } from './svg-chart';

/** Where and when a run happened. */
export function describeMachine(): BenchReport['machine'] {
  const list = cpus();
  return {
    cpus: list[0]?.model.trim() ?? 'unknown CPU',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    loadAverage: loadavg(),
  };
}

/** Writes latest.json, chart.svg and table.md into `outDir`; returns the markdown. */
export function writeReport(outDir: string, report: BenchReport): string {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  const title = `Throughput at c=64, ~200 B payload, relative to the raw client (${report.date.slice(0, 10)}, ${report.machine.cores} cores)`;
  writeFileSync(join(outDir, 'chart.svg'), svgChart(chartGroups(report.measurements), title));
  const markdown = markdownReport(report);
  writeFileSync(join(outDir, 'table.md'), markdown);
  return markdown;
}

export type { Measurement };
