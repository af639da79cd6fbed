import type { Measurement } from './measurement';

export interface ChartGroup {
  /** e.g. `rpc nats` or `events jetstream`. */
  label: string;
  bars: { stack: string; throughput: number }[];
}

const COLORS: Record<string, string> = {
  raw: '#9aa5b1',
  nest: '#e0a458',
  moleculer: '#4caf7d',
  switchboard: '#2f6fdf',
  'switchboard-traced': '#8fb3f0',
};
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The groups the chart shows: per transport (and bus), each stack's throughput at c=64 with the small payload. */
export function chartGroups(ms: readonly Measurement[]): ChartGroup[] {
  const groups = new Map<string, ChartGroup>();
  for (const m of ms) {
    if (m.suite === 'gateway' || m.concurrency !== 64 || m.payload !== 'small') continue;
    const label = `${m.suite} ${m.transport}`;
    const group = groups.get(label) ?? { label, bars: [] };
    group.bars.push({ stack: m.stack, throughput: m.throughput });
    groups.set(label, group);
  }
  const order = Object.keys(COLORS);
  for (const group of groups.values()) group.bars.sort((a, b) => order.indexOf(a.stack) - order.indexOf(b.stack));
  return [...groups.values()];
}

/**
 * A horizontal bar chart: one group per transport, one bar per stack, its length the throughput relative to the
 * raw client of that group (so groups of very different speed read alike), labelled with req/s and the ratio.
 */
export function svgChart(groups: readonly ChartGroup[], title: string): string {
  const width = 760;
  const left = 150;
  const barHeight = 16;
  const gap = 4;
  const groupGap = 14;
  const top = 48;
  const plotWidth = width - left - 150;
  const maxRatio = Math.max(1, ...groups.flatMap((g) => {
    const raw = g.bars.find((b) => b.stack === 'raw')?.throughput;
    return g.bars.map((b) => (raw ? b.throughput / raw : 1));
  }));
  const parts: string[] = [];
  let y = top;
  for (const group of groups) {
    const raw = group.bars.find((b) => b.stack === 'raw')?.throughput;
    const groupHeight = group.bars.length * (barHeight + gap) - gap;
    parts.push(`<text x="${left - 10}" y="${y + groupHeight / 2 + 4}" text-anchor="end" font-weight="bold">${escape(group.label)}</text>`);
    for (const bar of group.bars) {
      const relative = raw ? bar.throughput / raw : 1;
      const length = Math.max(1, (relative / maxRatio) * plotWidth);
      const label = `${Math.round(bar.throughput).toLocaleString('en-US')}/s${raw ? ` (${relative.toFixed(2)}x)` : ''}`;
      parts.push(
        `<rect x="${left}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" fill="${COLORS[bar.stack] ?? '#777'}"><title>${escape(`${group.label} ${bar.stack}: ${label}`)}</title></rect>`,
        `<text x="${(left + length + 6).toFixed(1)}" y="${y + barHeight - 4}">${escape(label)}</text>`,
      );
      y += barHeight + gap;
    }
    y += groupGap;
  }
  const rawX = left + plotWidth / maxRatio;
  const legend = Object.entries(COLORS)
    .map(([stack, color], i) => `<rect x="${10 + i * 140}" y="24" width="12" height="12" fill="${color}"/><text x="${10 + i * 140 + 18}" y="34">${stack}</text>`)
    .join('');
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="16" font-size="14" font-weight="bold">${escape(title)}</text>`,
    legend,
    `<line x1="${rawX.toFixed(1)}" y1="${top - 6}" x2="${rawX.toFixed(1)}" y2="${height - 14}" stroke="#444" stroke-dasharray="3,3"/>`,
    ...parts,
    `</svg>`,
    '',
  ].join('\n');
}
