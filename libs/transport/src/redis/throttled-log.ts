import type { Logger } from '@nestjs/common';

/**
 * Warnings that may repeat many times a second (Redis down, a flood of malformed requests): at most one line per
 * kind per interval (an interval of Infinity: one until `reset`), saying how many similar lines it held back.
 * Keeps no timers.
 */
export class ThrottledLog {
  private readonly nextAt = new Map<string, number>();
  private readonly heldBack = new Map<string, number>();

  constructor(
    readonly logger: Logger,
    private readonly intervalMs = 5000,
  ) {}

  warn(kind: string, message: string): void {
    const now = Date.now();
    if (now < (this.nextAt.get(kind) ?? 0)) {
      this.heldBack.set(kind, (this.heldBack.get(kind) ?? 0) + 1);
      return;
    }
    const held = this.heldBack.get(kind) ?? 0;
    this.heldBack.delete(kind);
    this.nextAt.set(kind, now + this.intervalMs);
    this.logger.warn(held ? `${message} (${held} similar messages held back)` : message);
  }

  /** Lets the next warning of `kind` through at once (e.g. after a recovery). */
  reset(kind: string): void {
    this.nextAt.delete(kind);
    this.heldBack.delete(kind);
  }
}
