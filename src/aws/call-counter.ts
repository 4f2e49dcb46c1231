/** Counts every HTTP request sent to AWS, retries included, by "Service.Operation". */
export class CallCounter {
  private readonly calls = new Map<string, number>();
  private readonly retries = new Map<string, number>();

  record(service: string, operation: string, attempt: number): void {
    const key = `${service}.${operation}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    if (attempt > 1) this.retries.set(key, (this.retries.get(key) ?? 0) + 1);
  }

  /** Requests sent, keyed "Service.Operation", sorted by key. */
  get byOperation(): Record<string, number> {
    return sortedObject(this.calls);
  }

  /** The part of byOperation that were retries of an earlier attempt. */
  get retriesByOperation(): Record<string, number> {
    return sortedObject(this.retries);
  }

  get total(): number {
    return sum(this.calls);
  }

  get totalRetries(): number {
    return sum(this.retries);
  }

  reset(): void {
    this.calls.clear();
    this.retries.clear();
  }
}

function sortedObject(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...map.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function sum(map: Map<string, number>): number {
  let total = 0;
  for (const value of map.values()) total += value;
  return total;
}
