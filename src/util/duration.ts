/**
 * Durations as people write them in drctl.yaml and drills: 90s, 15m, 1h, 2d, 1h30m. Anything else
 * (15 minutes, -5m, 900) is refused with what was expected, so a target is never silently wrong.
 */
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const WHOLE = /^(?:\d+(?:\.\d+)?[smhd])+$/;

export const DURATION_EXPECTED = "expected a duration such as 90s, 15m, 1h, 2d or 1h30m";

/** Seconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!WHOLE.test(trimmed)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)([smhd])/g))
    seconds += Number(amount) * (UNITS[unit ?? "s"] ?? 1);
  return seconds;
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
