/** The order reports show results in: the worst first, each cause followed by what follows from it. */
import { SEVERITIES, severityRank, type Finding, type Severity } from "../core/finding.js";
import type { PairResult } from "../core/scan-result.js";

/** The worst severity among a pair's open findings above info (or undefined when it has none). */
export function worstSeverity(p: PairResult): Severity | undefined {
  return SEVERITIES.find((s) => s !== "info" && p.counts[s] > 0);
}

/** Pairs by their worst open finding (critical first; pairs without any last), then by name. */
export function worstFirst(pairs: readonly PairResult[]): PairResult[] {
  const rank = (p: PairResult) => {
    const w = worstSeverity(p);
    return w ? severityRank(w) : 0;
  };
  return [...pairs].sort((a, b) => rank(b) - rank(a) || a.name.localeCompare(b.name));
}

export interface FindingGroup {
  finding: Finding;
  /** Findings that follow from this one (fix it and they go too). */
  consequences: Finding[];
}

/** Findings as causes, worst first, each with its consequences; a consequence whose cause is not listed stands alone. */
export function causesFirst(findings: readonly Finding[]): FindingGroup[] {
  const causeKey = (f: Pick<Finding, "ruleId" | "path">) => `${f.ruleId}|${f.path}`;
  const groups = new Map<string, FindingGroup>();
  const order = (a: Finding, b: Finding) =>
    severityRank(b.severity) - severityRank(a.severity) ||
    a.resourceType.localeCompare(b.resourceType) ||
    a.path.localeCompare(b.path);
  const sorted = [...findings].sort(order);
  for (const f of sorted) if (!f.consequenceOf) groups.set(causeKey(f), { finding: f, consequences: [] });
  const loose: FindingGroup[] = [];
  for (const f of sorted) {
    if (!f.consequenceOf) continue;
    const cause = groups.get(causeKey(f.consequenceOf));
    if (cause) cause.consequences.push(f);
    else loose.push({ finding: f, consequences: [] });
  }
  return [...groups.values(), ...loose].sort((a, b) => order(a.finding, b.finding));
}

/** A rule's remediation, short: its first sentence. */
export function shortRemediation(text: string): string {
  // A sentence ends where the next begins with a capital: "e.g. 60" does not end one.
  const first = /^(.+?[.!?])(?=\s+[A-Z]|\s*$)/.exec(text)?.[1] ?? text;
  return first.length > 160 ? `${first.slice(0, 159)}…` : first;
}

/**
 * A finding path cut where a line may break between its segments, never inside one
 * ("targetGroups[web-001-app]", ".healthCheck", ".path").
 */
export function pathSegments(path: string): string[] {
  return (
    path.match(/[^.[]+(\[[^\]]*\])?|\.|\[[^\]]*\]/g)?.reduce<string[]>((out, part) => {
      if (part === "." && out.length > 0) out[out.length - 1] += ".";
      else out.push(part);
      return out;
    }, []) ?? [path]
  );
}
