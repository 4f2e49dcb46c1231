import type { Finding } from "./finding.js";
import type { Suppression } from "./scan-result.js";
import { glob } from "../util/glob.js";

/** Whether a suppression's expiry day has come (it then stops applying, so the finding reports again). */
export function isExpired(s: Suppression, now: Date): boolean {
  return s.expires !== undefined && s.expires <= now.toISOString().slice(0, 10);
}

export function matches(s: Suppression, f: Finding): boolean {
  return (
    glob(s.rule).test(f.ruleId) &&
    (s.pair === undefined || glob(s.pair).test(f.pair) || glob(s.pair).test(f.primaryArn)) &&
    (s.path === undefined || glob(s.path).test(f.path))
  );
}

/** Marks findings a live suppression covers; returns the expired suppressions that matched something. */
export function applySuppressions(
  findings: Finding[],
  suppressions: readonly Suppression[],
  now: Date,
): Suppression[] {
  const expired = new Set<Suppression>();
  for (const f of findings) {
    if (f.status === "pass") continue;
    for (const s of suppressions) {
      if (!matches(s, f)) continue;
      if (isExpired(s, now)) {
        expired.add(s);
        continue;
      }
      f.suppressed = { reason: s.reason, ...(s.expires ? { expires: s.expires } : {}) };
      break;
    }
  }
  return [...expired];
}
