import { APPS, AppName, appUrl } from '../app-endpoints';
import { fetchJson } from '../fetch-json';
import { Spinner } from '../spinner';

export interface AppHealth {
  app: AppName;
  url: string;
  /** `ready`, `not ready` (503 with failing checks) or `unreachable`. */
  state: 'ready' | 'not ready' | 'unreachable';
  /** The checks that failed and why, or why the app could not be asked. */
  problems: string[];
}

interface TerminusBody {
  status?: string;
  error?: Record<string, { message?: string }>;
}

/** Asks every app's `/health/ready` (in parallel, 3 s each). */
export async function healthCommand(apps: readonly AppName[] = APPS): Promise<AppHealth[]> {
  const spinner = new Spinner().start(`checking ${apps.length} apps`);
  let answered = 0;
  try {
    return await Promise.all(
      apps.map(async (app): Promise<AppHealth> => {
        const url = appUrl(app);
        try {
          const { status, body } = await fetchJson(`${url}/health/ready`, {}, 3000);
          const problems = Object.entries((body as TerminusBody)?.error ?? {}).map(([check, r]) => `${check}: ${r.message ?? 'down'}`);
          if (status !== 200 && problems.length === 0) problems.push(`HTTP ${status}`);
          return { app, url, state: status === 200 ? 'ready' : 'not ready', problems };
        } catch (error) {
          return { app, url, state: 'unreachable', problems: [(error as Error).message] };
        } finally {
          spinner.update(`checking ${apps.length} apps (${++answered} answered)`);
        }
      }),
    );
  } finally {
    spinner.stop();
  }
}

/** One line per app: name, state, URL, then its problems indented. */
export function formatHealth(results: readonly AppHealth[]): string {
  const width = Math.max(...results.map((r) => r.app.length));
  return results
    .map((r) => [`${r.app.padEnd(width)}  ${r.state.padEnd(11)}  ${r.url}`, ...r.problems.map((p) => `${' '.repeat(width + 2)}- ${p}`)].join('\n'))
    .join('\n');
}
