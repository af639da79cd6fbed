import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The README is a front door and docs/ holds the rest: README.md stays short, every relative link in README.md and
 * docs/ reaches a file (and, with a #fragment, a heading of that file), every docs/ page is linked from the README,
 * and every `npm run <script>` the pages name is a script of package.json.
 */
const ROOT = join(__dirname, '..');
const MAX_README_LINES = 200;

const docsPages = (readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' }) as string[])
  .filter((file) => file.endsWith('.md'))
  .map((file) => `docs/${file.split('\\').join('/')}`)
  .sort();
const pages = ['README.md', ...docsPages];
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** Markdown without its fenced code blocks and inline code, where `](...)` is not a link. */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');

/** Relative link targets of a page: `[text](target)` and `![alt](target)`, without web and mail links. */
function relativeLinks(file: string): string[] {
  return [...prose(read(file)).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of prose(read(file)).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    anchors.add(count === 0 ? base : `${base}-${count}`);
    seen.set(base, count + 1);
  }
  return anchors;
}

describe('README.md and docs/', () => {
  it(`README.md has at most ${MAX_README_LINES} lines`, () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(MAX_README_LINES + 1);
  });

  it.each(pages)('%s: every relative link reaches a file, and a heading when it names one', (file) => {
    const broken: string[] = [];
    for (const link of relativeLinks(file)) {
      const [path, fragment] = link.split('#');
      const target = path === '' ? file : relative(ROOT, resolve(dirname(join(ROOT, file)), decodeURI(path)));
      if (!existsSync(join(ROOT, target))) {
        broken.push(`${link}: no ${target}`);
        continue;
      }
      if (fragment && target.endsWith('.md') && !anchorsOf(target).has(fragment)) broken.push(`${link}: no heading #${fragment} in ${target}`);
      if (fragment === undefined && statSync(join(ROOT, target)).isDirectory() && !existsSync(join(ROOT, target, 'README.md'))) {
        broken.push(`${link}: a folder without README.md`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('links every docs/ page from the README', () => {
    const linked = new Set(relativeLinks('README.md').map((link) => link.split('#')[0]));
    expect(docsPages.filter((page) => !linked.has(page))).toEqual([]);
  });

  it.each(pages)('%s: names only npm scripts that exist', (file) => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    const named = [...read(file).matchAll(/npm run (?:-s )?([a-z][\w:.-]*)/g)].map((m) => m[1]);
    expect(named.filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it('makes anchors the way GitHub does', () => {
    expect(slug('Scaling notes: 10 and 100 instances per service')).toBe('scaling-notes-10-and-100-instances-per-service');
    expect(slug('Order summary (aggregation)')).toBe('order-summary-aggregation');
    expect(slug('0001: A Redis transport of our own')).toBe('0001-a-redis-transport-of-our-own');
  });
});
