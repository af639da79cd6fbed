/**
 * A retry budget (Finagle's idea) for one target: every call deposits `ratio` of a token, every retry withdraws
 * one. However often the target fails, retries stay under `ratio` x calls (plus the reserve), so retries cannot
 * multiply load on a target that is already down.
 */
export class RetryBudget {
  private tokens: number;
  private readonly cap: number;

  constructor(
    private readonly ratio: number,
    reserve: number,
  ) {
    this.tokens = reserve;
    this.cap = Math.max(reserve, 1);
  }

  /** Records a call (not a retry). */
  deposit(): void {
    this.tokens = Math.min(this.cap, this.tokens + this.ratio);
  }

  /** Takes one retry from the budget; false when it is spent. */
  tryWithdraw(): boolean {
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  get available(): number {
    return this.tokens;
  }
}
