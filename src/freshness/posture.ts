/** Data-protection posture: a type's rules over the descriptions of a store and its copy, as findings. */
import { findingOf, type Finding } from "../core/finding.js";
import type { Discovered, Posture, PrimaryStore, Protection } from "../datastores/type.js";
import type { FreshnessOptions } from "./options.js";

/** Findings from a pair of descriptions under a type's posture rules. */
function postureFindings(
  posture: Posture<unknown>,
  subject: { name: string; primaryArn: string; secondaryArn: string | null },
  options: FreshnessOptions,
): Finding[] {
  const settings = {
    strategy: "warm-standby" as const,
    certificateExpiryDays: 30,
    now: options.now,
    backupRetentionDays: options.backupRetentionDays ?? { min: 7, max: 30 },
  };
  return posture.rules.flatMap((rule) =>
    rule.check(posture.primary, posture.standby, settings).map((d) =>
      findingOf(rule, {
        pair: subject.name,
        primaryArn: subject.primaryArn,
        secondaryArn: subject.secondaryArn,
        status: d.status ?? "drift",
        path: d.path,
        primary: d.primary,
        secondary: d.secondary,
        message: d.message,
        ...(d.severity ? { severity: d.severity } : {}),
      }),
    ),
  );
}

/**
 * The posture findings of a run: the primary's own (once per store), then each protection's pair,
 * then whole regions. The primary's own rules also run with each protection: one finding per
 * place, never twice.
 */
export function postureOf(
  stores: Iterable<PrimaryStore>,
  protections: readonly Protection[],
  discovered: readonly Discovered[],
  options: FreshnessOptions,
): Finding[] {
  const posture: Finding[] = [];
  for (const s of stores)
    if (s.posture)
      posture.push(
        ...postureFindings(s.posture, { name: s.name, primaryArn: s.arn, secondaryArn: null }, options),
      );
  for (const p of protections)
    if (p.posture)
      posture.push(
        ...postureFindings(
          p.posture,
          { name: p.primary.name, primaryArn: p.primary.arn, secondaryArn: p.standbyArn },
          options,
        ),
      );
  for (const d of discovered)
    for (const r of d.regionPosture ?? [])
      posture.push(
        ...postureFindings(r.posture, { name: r.subject, primaryArn: "", secondaryArn: null }, options),
      );
  const seen = new Set<string>();
  return posture.filter((f) => {
    const key = `${f.primaryArn}|${f.pair}|${f.ruleId}|${f.path}|${f.path.startsWith("standby") ? (f.secondaryArn ?? "") : ""}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
