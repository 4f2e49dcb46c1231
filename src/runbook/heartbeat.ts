/** The lease of a run's lock, renewed while the run executes. */
import type { FencedJournal } from "./fence.js";
import { errorText } from "./step-params.js";

export function defaultLeaseMs(): number {
  const seconds = Number(process.env.DRCTL_LEASE_SECONDS ?? 120);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 120_000;
}

/**
 * Renews the lock's lease while the run executes. A renewal that fails (the journal does not
 * answer) stops the run at its next step; one that finds the lock taken over (by another process,
 * or a later turn of its owner) ends the heartbeat and, through the fenced journal that found it,
 * stops everything at once: the steps' waits abort, and no write or call is made any more.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  lost: string | undefined;
  private renewedAt = Date.now();
  private beating = false;

  constructor(
    private readonly journal: FencedJournal,
    private readonly leaseMs: number,
    /** Told once when the lease could not be renewed (to journal it: the lock is still this run's). */
    private readonly onLost: (why: string) => Promise<void> = () => Promise.resolve(),
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.beat(), Math.max(50, Math.floor(this.leaseMs / 3)));
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    if (this.lost || this.beating) return;
    this.beating = true;
    // A renewal stuck in retries (a throttled table) counts as failed well before the lease ends.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), this.leaseMs / 2);
    });
    const { application, owner } = this.journal;
    try {
      const renewed = await Promise.race([
        this.journal.renewLock(application, owner.token, Date.now() + this.leaseMs),
        late,
      ]);
      if (renewed === true) this.renewedAt = Date.now();
      else if (renewed === "late")
        this.lost = `the lock's lease could not be renewed within ${this.leaseMs / 2000} s (the journal does not answer in time)`;
      else this.lost = this.journal.lost ?? "another process took the lock over";
    } catch (err) {
      this.lost = this.journal.lost ?? `the lock's lease could not be renewed: ${errorText(err)}`;
    } finally {
      clearTimeout(timer);
      this.beating = false;
    }
    if (this.journal.lost) this.end();
    else if (this.lost) await this.onLost(this.lost).catch(() => undefined);
  }

  /** Why this process must not start another step, if it must not. */
  get stop(): string | undefined {
    if (this.lost) return this.lost;
    if (Date.now() - this.renewedAt > this.leaseMs * 0.9) return "the lock's lease was not renewed in time";
    return undefined;
  }

  end(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
