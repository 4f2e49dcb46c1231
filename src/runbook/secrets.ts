import { InputError } from "../errors.js";

/**
 * The secret values a run has seen: values of SecureString parameters (resolved from ${ssm:...}
 * or read by a step) and the values of parameters a step kind declares secret. Everything the
 * engine writes or prints (journal, plan, log lines, events, errors, outputs) goes through
 * scrub(), so a secret that slipped into a message is replaced before it leaves the process.
 */
export const REDACTED = "(secret)";

/**
 * A secret shorter than this cannot be removed from text safely: scrubbing "739" or "ab" would
 * also blank the same characters in times, counts, ids and words of everything drctl writes
 * (corrupting the journal's own timestamps), and leaving it would print it. So drctl refuses to
 * use one: a reference to it, or a step that would read or write it, stops with this error.
 */
export const MIN_SECRET_LENGTH = 4;

/** Why `what` (a reference, a parameter) is refused when its SecureString value is too short to scrub. */
export function shortSecretMessage(what: string): string {
  return `${what} is a SecureString value of fewer than ${MIN_SECRET_LENGTH} characters: drctl cannot keep a value that short out of its output and journal (removing it would blank the same characters in times, counts and ids), so it does not use it; store a value of at least ${MIN_SECRET_LENGTH} characters`;
}

export class Secrets {
  private readonly values = new Set<string>();

  /**
   * A secret value, scrubbed from then on whatever its length; `what` names it in the refusal of
   * one too short to scrub (see MIN_SECRET_LENGTH).
   */
  add(value: string | undefined, what = "a secret value"): void {
    if (value === undefined || value === "") return;
    if (value.length < MIN_SECRET_LENGTH) throw new InputError(shortSecretMessage(what));
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
