import { AppName, appUrl } from '../app-endpoints';
import { CliError, usageError } from '../cli-error';
import { fetchJson } from '../fetch-json';
import { Spinner } from '../spinner';

const DEV_ADMIN_TOKEN = 'switchboard-dev-admin-token';
const ID = /^[\w.:-]{1,200}$/;

export interface DeadLetterFilter {
  type?: string;
  status?: string;
  limit?: string;
  cursor?: string;
}

/** ADMIN_TOKEN, as the services read it (the documented development token outside production). */
function adminToken(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ADMIN_TOKEN) return env.ADMIN_TOKEN;
  if (env.NODE_ENV === 'production') throw usageError('set ADMIN_TOKEN: the admin endpoints need it');
  return DEV_ADMIN_TOKEN;
}

async function admin(app: AppName, path: string, method = 'GET'): Promise<unknown> {
  const url = `${appUrl(app)}/admin/dead-letters${path}`;
  const spinner = new Spinner().start(`${method} ${url}`);
  try {
    const { status, body } = await fetchJson(url, { method, headers: { authorization: `Bearer ${adminToken()}` } }, 30_000);
    if (status === 204) return { deleted: true };
    if (status >= 400) {
      const message = (body as { message?: unknown })?.message ?? body;
      throw new CliError(`${app} answered ${status}: ${typeof message === 'string' ? message : JSON.stringify(message)}`);
    }
    return body;
  } finally {
    spinner.stop();
  }
}

function checkId(id: string | undefined): string {
  if (!id || !ID.test(id)) throw usageError(`a dead letter id is needed (got ${id === undefined ? 'none' : `"${id}"`})`);
  return id;
}

/** Lists an app's dead letters, newest first (`--type`, `--status`, `--limit`, `--cursor`). */
export function listDeadLetters(app: AppName, filter: DeadLetterFilter): Promise<unknown> {
  const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined));
  return admin(app, query.size > 0 ? `?${query}` : '');
}

export const showDeadLetter = (app: AppName, id?: string) => admin(app, `/${encodeURIComponent(checkId(id))}`);
export const replayDeadLetter = (app: AppName, id?: string) => admin(app, `/${encodeURIComponent(checkId(id))}/replay`, 'POST');
export const discardDeadLetter = (app: AppName, id?: string) => admin(app, `/${encodeURIComponent(checkId(id))}`, 'DELETE');
