/**
 * The catalogue: every resource type the scan compares, every data-store type freshness measures,
 * and every rule either can report. The top of the dependency order: the only module that imports
 * every type; engines receive these lists as arguments and never import a type themselves.
 * Adding a type is its folder and one line here.
 */
import type { RuleInfo } from "./core/finding.js";
import { auroraStoreType } from "./datastores/aurora/index.js";
import { backupStoreType } from "./datastores/backup/index.js";
import { dynamodbStoreType } from "./datastores/dynamodb/index.js";
import { efsStoreType } from "./datastores/efs/index.js";
import { elasticacheStoreType } from "./datastores/elasticache/index.js";
import { imagesStoreType } from "./datastores/images/index.js";
import { rdsStoreType } from "./datastores/rds/index.js";
import { s3StoreType } from "./datastores/s3/index.js";
import { storeReadError, type StoreType } from "./datastores/type.js";
import { drillRuleInfos } from "./drill/rules.js";
import { PAIR_RULES } from "./pairs/rules.js";
import { certificateModule } from "./resources/certificate/index.js";
import { listenerModule } from "./resources/listener/index.js";
import { loadBalancerModule } from "./resources/load-balancer/index.js";
import { readErrorRule, type ResourceModule, type ResourceType } from "./resources/module.js";
import { loadBalancerPairing } from "./resources/load-balancer/pairing.js";
import { route53Module } from "./resources/route53/index.js";
import { securityGroupModule } from "./resources/security-group/index.js";
import { targetGroupModule } from "./resources/target-group/index.js";

/**
 * Every type the readiness scan pairs, each with the modules that compare a pair of it: a load
 * balancer with its listeners, target groups, security groups, certificates and DNS records.
 */
export const RESOURCE_TYPES: readonly ResourceType<never>[] = [
  {
    pairing: loadBalancerPairing,
    modules: [
      loadBalancerModule,
      listenerModule,
      targetGroupModule,
      securityGroupModule,
      certificateModule,
      route53Module,
    ],
  },
] as unknown as readonly ResourceType<never>[];

/** Every module of every resource type, for the rule catalogue and the permissions. */
export const RESOURCE_MODULES: readonly ResourceModule<unknown>[] = RESOURCE_TYPES.flatMap(
  (t) => t.modules as readonly ResourceModule<unknown>[],
);

/** Every data-store type freshness measures. */
export const STORE_TYPES: readonly StoreType[] = [
  rdsStoreType,
  auroraStoreType,
  dynamodbStoreType,
  s3StoreType,
  efsStoreType,
  elasticacheStoreType,
  imagesStoreType,
  backupStoreType,
];

/** Every rule a scan, a freshness run or a drill can report, grouped by resource type, in report order. */
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
    // drctl drill reports what it saw before, during and after its fault in the same shape.
    { type: "drill", title: "Drills (drctl drill)", rules: drillRuleInfos() },
  ];
}

/** Every rule id a scan, a freshness run or a drill can report (what drctl.yaml's suppressions may name). */
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
