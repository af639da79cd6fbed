import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile the summary reads. */
export interface CpuProfile {
  nodes: { id: number; hitCount?: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  endTime: number;
}

export interface HotSpot {
  /** `function (file:line)`, or the package / lib for the by-area view. */
  name: string;
  /** Share of all samples where this was the running function (self time). */
  selfPercent: number;
}

/** Where a frame's code lives: a package, one of our libs, the bench, Node itself, or V8 (GC, idle, program). */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const lib = /\/(libs\/[^/]+|apps\/[^/]+|bench)\//.exec(url);
  if (lib) return lib[1];
  if (url.startsWith('node:')) return 'node';
  return url;
}

const short = (url: string) => url.replace(/^.*\/(node_modules|libs|apps|bench)\//, '$1/').replace(/^file:\/\//, '');

/** The functions with the most self time, and the same samples grouped by area. */
export function summarizeProfile(profile: CpuProfile, top = 15): { functions: HotSpot[]; areas: HotSpot[] } {
  const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0) || 1;
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (!hits) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = url ? `${functionName || '(anonymous)'} (${short(url)}:${lineNumber + 1})` : functionName || '(anonymous)';
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + hits);
  }
  const rank = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, hits]) => ({ name, selfPercent: (100 * hits) / total }));
  return { functions: rank(byFunction), areas: rank(byArea) };
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** The summary as text, for the console and profiles/summary.md. */
export function formatSummary(title: string, summary: ReturnType<typeof summarizeProfile>): string {
  const lines = [`### ${title}`, '', 'self time by area:', ...summary.areas.map((h) => `  ${h.selfPercent.toFixed(1).padStart(5)}%  ${h.name}`)];
  lines.push('', 'hottest functions (self time):', ...summary.functions.map((h) => `  ${h.selfPercent.toFixed(1).padStart(5)}%  ${h.name}`), '');
  return lines.join('\n');
}
