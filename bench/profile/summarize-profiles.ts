import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSummary, readProfile, summarizeProfile } from './cpu-profile-summary';

/** Summarizes every .cpuprofile in `dir` into `<dir>/summary.md` and returns the text. */
export function summarizeProfiles(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  const text = files.map((file) => formatSummary(file, summarizeProfile(readProfile(join(dir, file))))).join('\n');
  writeFileSync(join(dir, 'summary.md'), `# Hot path: self time in the measured windows\n\n${text}`);
  return `CPU profiles (measured windows only) in ${dir}; summary in ${dir}/summary.md\n\n${text}`;
}
