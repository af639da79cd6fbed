/**
 * Deterministic crash points for fault tests: `CRASH_POINT=<point>[,<point>...]` makes the process kill itself
 * (SIGKILL: no shutdown hook, no flush, as a power cut or an OOM kill) the first time it reaches one of them, so a
 * test can stop a service exactly between two steps that must both happen, restart it, and check that nothing was
 * lost or done twice. Refused with NODE_ENV=production; unknown points are refused at start.
 */
export const CRASH_POINTS = {
  /** The outbox relay found committed rows and is about to publish them (any publishing service). */
  'outbox.before-publish': 'after an outbox row is committed, before the relay publishes it',
  /** orders' saga got the charge's answer from payments and has not recorded it yet. */
  'saga.after-charge': 'after payments captured the charge, before the saga records it',
  /** inventory committed a reservation and has not answered the Reserve call yet. */
  'inventory.after-reserve': 'after the reservation is committed, before the Reserve call is answered',
} as const;

export type CrashPoint = keyof typeof CRASH_POINTS;

let armed: ReadonlySet<string> | undefined;

/** The points armed by `CRASH_POINT` (read once); throws on an unknown point or in production. */
export function armedCrashPoints(env: NodeJS.ProcessEnv = process.env): ReadonlySet<string> {
  const raw = env.CRASH_POINT?.trim();
  if (!raw) return new Set();
  if (env.NODE_ENV === 'production') throw new Error('CRASH_POINT is for fault tests; NODE_ENV=production refuses it');
  const points = raw.split(',').map((point) => point.trim());
  for (const point of points) {
    if (!(point in CRASH_POINTS)) throw new Error(`CRASH_POINT: unknown point "${point}" (one of ${Object.keys(CRASH_POINTS).join(', ')})`);
  }
  return new Set(points);
}

/** Kills this process on the spot if `point` is armed; otherwise does nothing (one set lookup). */
export function crashPoint(point: CrashPoint): void {
  armed ??= armedCrashPoints();
  if (!armed.has(point)) return;
  process.stderr.write(`CRASH_POINT ${point}: killing this process (${CRASH_POINTS[point]})\n`);
  process.kill(process.pid, 'SIGKILL');
}
