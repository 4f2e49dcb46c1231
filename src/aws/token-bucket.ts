/** A clock that tests can replace. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Classic token bucket: `burst` tokens at most, refilled at `perSecond`. Callers are served in
 * arrival order, so a long scan runs at the limit instead of stampeding after each refill.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(perSecond > 0) || !(burst >= 1)) {
      throw new RangeError(`token bucket needs perSecond > 0 and burst >= 1, got ${perSecond}/${burst}`);
    }
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Resolves when one token has been taken. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.takeInTurn());
    this.queue = turn;
    return turn;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
  }

  private async takeInTurn(): Promise<void> {
    this.refill();
    while (this.tokens < 1) {
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.perSecond) * 1000));
      this.refill();
    }
    this.tokens -= 1;
  }
}
