/**
 * The drctl.yaml `drctl init` writes (pure): regions, a default RPO, the pairs it proposes each
 * under a comment saying why, applications by tag, and as comments what a person should know
 * (tagged pairs found, stores without a copy, near-miss tags and their fixes, what was skipped).
 * Every value from AWS is written as a quoted YAML string, and every comment is one line of
 * printable text, so no tag or name can add a key or end a comment.
 */
import { printable } from "../util/printable.js";
import type { Plan } from "./propose.js";
import type { Skipped } from "./regions.js";

export interface RenderInput {
  plan: Plan;
  regions: readonly string[];
  regionsHow: string;
  skipped: readonly Skipped[];
  notes: readonly string[];
  generatedAt: Date;
}

/** One comment line: control characters and line breaks of AWS or user text become spaces. */
const comment = (text: string, indent = "") =>
  `${indent}# ${printable(text).replace(/[\r\n\t\u0085\u2028\u2029]+/g, " ")}`.trimEnd();
/** A YAML string that is only ever a string (JSON is YAML; non-ASCII escaped keeps it one line). */
const str = (text: string) =>
  JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );

function header(input: RenderInput): string[] {
  return [
    comment(
      `drctl.yaml written by drctl init on ${input.generatedAt.toISOString().slice(0, 10)}: review it before relying on it.`,
    ),
    comment("Every proposed pair says why above it; every suggested RPO is for its owners to confirm."),
    "version: 1",
    "",
    comment(`Regions read (${input.regionsHow}): ${input.regions.join(", ") || "(none)"}.`),
    ...input.skipped.map((s) => comment(`Skipped ${s.region}: ${s.reason}.`)),
    ...input.notes.map((n) => comment(`Note: ${n}.`)),
  ];
}

function regionsBlock(plan: Plan): string[] {
  return [
    ...plan.regionWhy.map((w) => comment(w)),
    "regions:",
    `  primary: ${str(plan.primary ?? "us-east-1")}`,
    ...(plan.standby ? [`  standby: ${str(plan.standby)}`] : []),
    "",
    comment("The default RPO of every data store (suggested; pairs below may set their own)."),
    "rpo: 15m",
    "",
    comment("How the standby runs before a failover: warm-standby (it serves, scaled down), or"),
    comment(
      "pilot-light (nothing runs until failover: empty target groups and groups at 0 are then expected).",
    ),
    comment(`${plan.strategy.why[0]?.toUpperCase() ?? ""}${plan.strategy.why.slice(1)}.`),
    `strategy: ${plan.strategy.strategy}`,
    comment("Where the history of runs is kept (default ~/.drctl/history.sqlite), e.g.:"),
    comment("store: dynamodb://drctl-history?region=us-east-1"),
  ];
}

function pairsBlock(plan: Plan): string[] {
  const out: string[] = [""];
  if (plan.tagged.length > 0) {
    out.push(comment("Pairs declared by their DR tags (scan and freshness find these themselves):"));
    for (const t of plan.tagged)
      out.push(
        comment(`  ${t.name} (${t.region}) -> ${t.secondary ?? "(no secondaryARN: the scan reports it)"}`),
      );
  }
  for (const a of plan.ambiguous)
    out.push(
      comment(
        `${a.resource.name} (${a.resource.arn}) has ${a.candidates.length} candidate twins, neither chosen:`,
      ),
      ...a.candidates.map((c) => comment(`  ${c.name}: ${c.arn}`)),
      comment("  add the right one under pairs: by hand."),
    );
  const entries = plan.proposals.flatMap((p) => {
    const lines = [`- primary: ${str(p.primary)}`, `  secondary: ${str(p.secondary)}`];
    if (p.rpo) lines.push(`  rpo: ${p.rpo} # suggested from how it is copied: confirm`);
    const why = comment(`proposed: ${p.why}`, "  ");
    if (p.commented)
      return [why, comment(`not active: ${p.commented}`, "  "), ...lines.map((l) => comment(l, "  "))];
    return [why, ...lines.map((l) => `  ${l}`)];
  });
  const active = plan.proposals.some((p) => !p.commented);
  out.push(active ? "pairs:" : "pairs: []", ...entries);
  return out;
}

function storesBlock(plan: Plan): string[] {
  if (plan.unprotected.length === 0) return [];
  return [
    "",
    comment("Data stores with no copy in another region (freshness calls them unprotected): add a"),
    comment("replica or replication, or list the ones that need none under freshness.ignore."),
    ...plan.unprotected.map((s) => comment(`  ${s.name} (${s.type}): ${s.arn}`)),
  ];
}

function applicationsBlock(plan: Plan): string[] {
  const { key, why, apps } = plan.applications;
  const out = ["", comment(`Applications: ${why}.`)];
  if (!key || apps.length === 0) return [...out, "applications: []"];
  out.push("applications:");
  for (const a of apps)
    out.push(
      `  - name: ${str(a.name)} # ${a.count} resource${a.count === 1 ? "" : "s"}`,
      `    tags: { ${str(key)}: ${str(a.value)} }`,
    );
  return out;
}

function nearMissBlock(plan: Plan): string[] {
  if (plan.nearMisses.length === 0) return [];
  return [
    "",
    comment("DR tags that nearly match drctl's and pair nothing until fixed (drctl scan reports them too):"),
    ...plan.nearMisses.flatMap((m) => [
      comment(`  ${m.name} (${m.region}): ${m.what}`),
      comment(`    fix: ${m.fix}`),
    ]),
  ];
}

export function renderConfig(input: RenderInput): string {
  const { plan } = input;
  return `${[
    ...header(input),
    ...regionsBlock(plan),
    ...pairsBlock(plan),
    ...storesBlock(plan),
    ...applicationsBlock(plan),
    ...nearMissBlock(plan),
  ].join("\n")}\n`;
}
