import { readFileSync, writeFileSync } from 'node:fs';

export const TABLE_START = '<!-- bench:table -->';
export const TABLE_END = '<!-- /bench:table -->';

/** Replaces what stands between the bench markers of a document with `markdown`; throws when they are missing. */
export function replaceBenchTable(readme: string, markdown: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`the document has no ${TABLE_START} ... ${TABLE_END} section`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${markdown}${readme.slice(end)}`;
}

/** `--readme`: puts the run's table into the performance document (docs/performance.md). */
export function updateReadme(file: string, markdown: string): void {
  writeFileSync(file, replaceBenchTable(readFileSync(file, 'utf8'), markdown));
}
