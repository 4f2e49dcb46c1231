/** A freshness run's verdict, for the CLI's exit code and the cloud's notify step alike. */
import { STATUS_SEVERITY, type FreshnessResult } from "../core/freshness-result.js";
import { isReadFailure, severityRank, type Severity } from "../core/finding.js";

/** Stores at or above `failOn` (a status weighs as STATUS_SEVERITY says), or a posture finding that is. */
export function freshnessFailed(result: FreshnessResult, failOn: Severity | "never"): boolean {
  if (failOn === "never") return false;
  const at = (s: Severity) => severityRank(s) >= severityRank(failOn);
  return (
    result.stores.some((s) => s.status !== "ok" && s.status !== "error" && at(STATUS_SEVERITY[s.status])) ||
    result.findings.some((f) => f.status !== "pass" && !f.suppressed && !isReadFailure(f) && at(f.severity))
  );
}

/** What could not be read: read-failure findings and stores that could not be measured. */
export function freshnessFailures(result: FreshnessResult): string[] {
  return [
    ...result.findings.filter((f) => isReadFailure(f) && !f.suppressed).map((f) => f.message),
    ...result.stores.filter((s) => s.status === "error").map((s) => s.message),
  ];
}
