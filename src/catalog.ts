import { PAIR_RULES } from "./pairs/rules.js";
import { RESOURCE_MODULES } from "./resources/registry.js";
import { readErrorRule } from "./resources/module.js";
import { storeReadError } from "./freshness/engine.js";
import { STORE_TYPES } from "./datastores/registry.js";
import type { RuleInfo } from "./core/finding.js";

/** Every rule a scan or a freshness run can report, grouped by resource type, in report order. */
export function ruleCatalog(): { type: string; title: string; rules: RuleInfo[] }[] {
  return [
    { type: "pair", title: "Pairs", rules: Object.values(PAIR_RULES) },
    ...RESOURCE_MODULES.map((m) => ({
      type: m.type,
      title: m.title,
      rules: [
        ...m.rules,
        ...(m.missingRule ? [m.missingRule] : []),
        ...(m.extraRules ?? []),
        readErrorRule(m),
      ],
    })),
    // drctl freshness reports data-protection posture in the same shape.
    ...STORE_TYPES.map((t) => ({
      type: t.type,
      title: `${t.title} (drctl freshness)`,
      rules: [...t.rules, storeReadError(t)],
    })),
  ];
}

/** Every rule id a scan can report. */
export function ruleIds(): string[] {
  return ruleCatalog().flatMap((g) => g.rules.map((r) => r.id));
}

export function rulesMarkdown(): string {
  const out = [
    "# Readiness and data-protection rules",
    "",
    "Generated from the rule objects in `src/` by `npm run docs`; a test fails when this file is stale.",
    "Each finding names its rule id. Severities: critical, high, medium, low, info.",
  ];
  for (const group of ruleCatalog()) {
    out.push("", `## ${group.title} (\`${group.type}\`)`);
    for (const r of group.rules) {
      out.push(
        "",
        `### \`${r.id}\` (${r.severity})`,
        "",
        `**${r.title}.**`,
        "",
        `- Compares: ${r.compares}.`,
        `- Why it matters in a failover: ${r.rationale}`,
        `- How to fix: ${r.remediation}`,
      );
    }
  }
  return `${out.join("\n")}\n`;
}
