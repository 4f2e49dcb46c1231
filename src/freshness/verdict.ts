/** A freshness run's verdict, for the CLI's exit code and the cloud's notify step alike. */
import { STATUS_SEVERITY, type FreshnessResult } from "../core/freshness-result.js";
import { isReadFailure, severityRank, type Severity } from "../core/finding.js";

/**
 * Why nothing was measured: every store found is unknown (no data points, metrics not enabled),
 * so no figure says the copies are fresh. Undefined when one store at least was measured (or read
 * as broken, unprotected, in error) or none was found (said apart: nothing found).
 */
export function nothingMeasured(result: FreshnessResult): string | undefined {
  const { stores } = result;
  if (stores.length === 0 || stores.some((s) => s.status !== "unknown")) return undefined;
  const names = stores.slice(0, 3).map((s) => s.store);
  return `nothing was measured: the freshness of every data store found is unknown (${stores.length}: ${names.join(", ")}${stores.length > 3 ? ", ..." : ""}); its evidence column says what is missing (replication metrics, data points), and drctl freshness --canary --execute measures a store drctl.yaml's freshness.canary names`;
}

/**
 * Stores at or above `failOn` (a status weighs as STATUS_SEVERITY says), or a posture finding
 * that is; or nothing measured at all (every store unknown), which is never a pass.
 */
export function freshnessFailed(result: FreshnessResult, failOn: Severity | "never"): boolean {
  if (failOn === "never") return false;
  if (nothingMeasured(result) !== undefined) return true;
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
