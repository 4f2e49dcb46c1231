/**
 * The secret values a run has seen: values of SecureString parameters (resolved from ${ssm:...}
 * or read by a step) and the values of parameters a step kind declares secret. Everything the
 * engine writes or prints (journal, plan, log lines, events, errors, outputs) goes through
 * scrub(), so a secret that slipped into a message is replaced before it leaves the process.
 */
export const REDACTED = "(secret)";

/** Shorter values are not scrubbed from text (they would blank out common words and digits). */
const MIN_LENGTH = 4;

export class Secrets {
  private readonly values = new Set<string>();

  add(value: string | undefined): void {
    if (value === undefined || value.length < MIN_LENGTH) return;
    this.values.add(value);
    // The forms a value takes in JSON and in URLs are secret too.
    this.values.add(JSON.stringify(value).slice(1, -1));
    this.values.add(encodeURIComponent(value));
  }

  has(value: string): boolean {
    return this.values.has(value);
  }

  /** Whether `text` contains any secret value. */
  touches(text: string): boolean {
    for (const v of this.values) if (text.includes(v)) return true;
    return false;
  }

  get size(): number {
    return this.values.size;
  }

  scrub(text: string): string {
    let out = text;
    // Longest first: a secret that contains another is replaced whole.
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(v).join(REDACTED);
    return out;
  }

  /** Every string inside `value` scrubbed (objects and arrays walked). */
  scrubDeep<T>(value: T): T {
    if (typeof value === "string") return this.scrub(value) as T;
    if (Array.isArray(value)) return value.map((v: unknown) => this.scrubDeep(v)) as T;
    if (value && typeof value === "object")
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, this.scrubDeep(v)]),
      ) as T;
    return value;
  }
}
