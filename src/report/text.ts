import { SEVERITIES, type Finding } from "../core/finding.js";
import type { ScanResult } from "../core/scan-result.js";
import { show } from "../core/compare.js";
import { causesFirst, shortRemediation } from "./order.js";

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export interface TextOptions {
  /** Each finding's whole remediation and both values (default: the remediation's first sentence). */
  verbose?: boolean;
}

function findingLines(f: Finding, options: TextOptions, indent: string): string[] {
  const tag = f.suppressed ? ` (suppressed: ${f.suppressed.reason})` : "";
  const lines = [
    `${indent}${f.severity.toUpperCase().padEnd(8)} ${f.status.padEnd(7)} ${f.ruleId}  ${f.path}${tag}`,
    `${indent}         ${f.message}`,
  ];
  // Information (an empty pilot-light standby) carries its fix under --verbose only.
  if (f.remediation && (options.verbose || f.severity !== "info"))
    lines.push(`${indent}         fix: ${options.verbose ? f.remediation : shortRemediation(f.remediation)}`);
  if (options.verbose && f.status === "drift" && (f.primary !== null || f.secondary !== null))
    lines.push(
      `${indent}         primary: ${clip(show(f.primary), 300)}`,
      `${indent}         standby: ${clip(show(f.secondary), 300)}`,
    );
  return lines;
}

/** "3 tagged primaries in us-east-1 of types drctl scan does not compare: ecs:service 2, s3:(resource) 1". */
function notComparedLines(result: ScanResult): string[] {
  return (result.notCompared ?? []).map((n) => {
    if (n.error !== undefined)
      return `\nnote: could not list the tagged resources of ${n.region}, so types drctl scan does not compare are unknown there: ${n.error}`;
    const counts = Object.entries(n.types).sort(([a], [b]) => a.localeCompare(b));
    const total = counts.reduce((sum, [, c]) => sum + c, 0);
    return `\nnote: ${total} tagged primar${total === 1 ? "y" : "ies"} in ${n.region} of types drctl scan does not compare: ${counts.map(([t, c]) => `${t} ${c}`).join(", ")}`;
  });
}

/** Hours or minutes since `at`, as a person reads an evidence's age. */
function ageOf(at: string, now: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(now) - Date.parse(at)) / 60_000));
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}

/** What an incremental scan read and carried over, and what each change signal said. */
export function incrementalLines(result: ScanResult): string[] {
  const inc = result.incremental;
  if (!inc) return [];
  const reasons = Object.entries(inc.reasons)
    .sort(([, a], [, b]) => b - a)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  const carried = result.pairs.filter((p) => p.evidence?.read === "carried-over");
  const oldest = carried.map((p) => p.evidence?.readAt ?? "").sort()[0];
  const lines = [
    `incremental: read ${inc.read} of ${inc.read + inc.carriedOver} pairs${reasons ? ` (${reasons})` : ""}; carried over ${inc.carriedOver}${oldest ? `, the oldest read ${ageOf(oldest, result.generatedAt)} ago` : ""}`,
  ];
  for (const sig of inc.signals) {
    const where = `${sig.source} ${sig.region}${sig.account ? ` (${sig.account})` : ""}`;
    lines.push(
      sig.unavailable
        ? `  ${where}: not heard (${sig.unavailable}); its changes wait for the rolling sweep`
        : `  ${where}: ${sig.changes} changes${sig.notCovered?.length ? `; does not see ${sig.notCovered.join(", ")} (the sweep covers them)` : ""}`,
    );
  }
  if (inc.unmatchedChanges > 0)
    lines.push(`  ${inc.unmatchedChanges} changes named no resource of any pair (ignored)`);
  return lines;
}

/** The terminal report: one line per pair with counts by severity, then the details, causes first. */
export function formatScanText(result: ScanResult, options: TextOptions = {}): string {
  const lines: string[] = [];
  // A region whose primaries could not be listed is no pair: said first, on a line of its own.
  const isRegion = (p: ScanResult["pairs"][number]) =>
    p.findings.length > 0 && p.findings.every((f) => /^region\[.+\]$/.test(f.path));
  for (const p of result.pairs.filter(isRegion))
    for (const f of p.findings) lines.push(`could not scan ${f.path.slice(7, -1)}: ${f.message}`);
  if (lines.length > 0) lines.push("");
  const pairs = result.pairs.filter((p) => !isRegion(p));
  const width = Math.max(4, ...pairs.map((p) => p.name.length));
  lines.push(
    `${"PAIR".padEnd(width)}  STATUS   ${SEVERITIES.map((s) => s.toUpperCase().padStart(8)).join("")}`,
  );
  for (const p of pairs) {
    const carried =
      p.evidence?.read === "carried-over" ? `  read ${ageOf(p.evidence.readAt, result.generatedAt)} ago` : "";
    lines.push(
      `${p.name.padEnd(width)}  ${p.status.padEnd(7)}  ${SEVERITIES.map((s) => String(p.counts[s]).padStart(8)).join("")}${carried}`,
    );
  }
  for (const p of pairs) {
    const live = p.findings.filter((f) => f.status !== "pass");
    if (live.length === 0) continue;
    lines.push("", `${p.name}  ${p.primaryArn} -> ${p.secondaryArn ?? "(no standby)"}`);
    if (p.evidence?.read === "carried-over")
      lines.push(
        `  (carried over: read at ${p.evidence.readAt}, ${ageOf(p.evidence.readAt, result.generatedAt)} ago; nothing signalled a change since)`,
      );
    for (const group of causesFirst(live)) {
      lines.push(...findingLines(group.finding, options, "  "));
      for (const c of group.consequences) {
        lines.push(`    follows from the above:`);
        lines.push(...findingLines(c, options, "    "));
      }
    }
  }
  lines.push(...notComparedLines(result));
  const incremental = incrementalLines(result);
  if (incremental.length > 0) lines.push("", ...incremental);
  for (const s of result.expiredSuppressions) {
    lines.push(
      "",
      `note: the suppression of ${s.rule}${s.pair ? ` for ${s.pair}` : ""} expired on ${s.expires ?? "?"}; its findings are reported again`,
    );
  }
  return lines.join("\n");
}
