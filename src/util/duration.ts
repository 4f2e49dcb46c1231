import { z } from "zod";

/**
 * Durations as people write them in drctl.yaml, drills and runbooks: 500ms, 1.5s, 90s, 15m, 1h,
 * 2d, 2m30s, 1h30m, or a bare number of seconds (30, "30", 0.5). Units go from the largest to the
 * smallest, each once, without spaces. Anything else (15 minutes, -5m, 30m1h) is refused with what
 * was expected, so a target is never silently wrong.
 */
const UNITS: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };
const ORDER = ["d", "h", "m", "s", "ms"];
const NUMBER = /^\d+(?:\.\d+)?$/;
const PART = /(\d+(?:\.\d+)?)(ms|[smhd])/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|[smhd]))+$/;

export const DURATION_EXPECTED =
  "expected a duration: a number with a unit (500ms, 1.5s, 90s, 15m, 1h, 2d), units combined from the largest (2m30s, 1h30m), or a bare number of seconds (30)";

/** Seconds, or undefined when `text` is not a duration (a number is seconds). */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) && text >= 0 ? text : undefined;
  const trimmed = text.trim();
  if (NUMBER.test(trimmed)) return Number(trimmed);
  if (!WHOLE.test(trimmed)) return undefined;
  let seconds = 0;
  let last = -1;
  for (const [, amount, unit] of trimmed.matchAll(PART)) {
    // 30m1h or 1m1m: a unit out of order or twice is a typo more likely than a sum.
    const rank = ORDER.indexOf(unit ?? "");
    if (rank <= last) return undefined;
    last = rank;
    seconds += Number(amount) * (UNITS[unit ?? "s"] ?? 1);
  }
  // Sums of decimal fractions (1.1s) are kept to the millisecond they mean.
  return Math.round(seconds * 1e6) / 1e6;
}

/**
 * A duration field of a YAML file or a step's parameters, as seconds: a string or a number as
 * parseDuration takes them; `positive` refuses 0; `max` in seconds.
 */
const DURATION_FIELDS = new WeakSet<object>();

/** Whether a schema is a duration field (the documentation names its type so). */
export const isDuration = (schema: object): boolean => DURATION_FIELDS.has(schema);

export function durationField(options: { positive?: boolean; max?: number } = {}) {
  const field = z.union([z.string(), z.number()], { error: DURATION_EXPECTED }).transform((value, ctx) => {
    const seconds = parseDuration(value);
    if (seconds === undefined || (options.positive && seconds <= 0)) {
      ctx.addIssue({ code: "custom", message: `${DURATION_EXPECTED}; found ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    if (options.max !== undefined && seconds > options.max) {
      ctx.addIssue({
        code: "custom",
        message: `expected at most ${formatDuration(options.max)}; found ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return seconds;
  });
  DURATION_FIELDS.add(field);
  return field;
}

/** A number of seconds as people read it: 45 s, 15 min, 2 h 5 min, 3 d. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  // Below 10 s a tenth counts (a canary polled every 0.5 s); above, whole units.
  if (seconds < 10 && !Number.isInteger(seconds)) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 3 * 86400) {
    const h = Math.floor(s / 3600);
    const m = Math.round((s % 3600) / 60);
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  return `${Math.round(s / 86400)} d`;
}

/**
 * A measured figure and its resolution as text, never finer than that resolution: 1.25 s at
 * ± 0.25 s is "1.25 s", not "1.3 s"; whole seconds and more as formatDuration writes them.
 */
export function formatMeasured(seconds: number, resolution: number): { value: string; within: string } {
  if (resolution > 0 && resolution < 1) {
    const decimals = Math.min(3, String(resolution).split(".")[1]?.length ?? 1);
    return { value: `${seconds.toFixed(decimals)} s`, within: `${Number(resolution.toFixed(3))} s` };
  }
  return { value: formatDuration(seconds), within: formatDuration(resolution) };
}
