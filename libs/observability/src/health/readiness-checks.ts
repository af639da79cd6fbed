import { Injectable } from '@nestjs/common';

/**
 * One readiness condition of an app (broker connection, database, downstream breakers...): resolves, optionally
 * with details, when it holds; throws (with the reason as message) when it does not.
 */
export type ReadinessCheck = () => void | Record<string, unknown> | Promise<void | Record<string, unknown>>;

/**
 * The readiness conditions of one app, collected from the libs that know them (transport, messaging, storage,
 * resilience) and checked by `/health/ready`. Once the app begins to stop, it is not ready whatever they say.
 */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, ReadinessCheck>();
  stopping = false;

  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  entries(): [string, ReadinessCheck][] {
    return [...this.checks];
  }
}
