import { iamActions } from "../src/aws/services.js";
import { commandPermissions } from "../src/permissions.js";
import type { LoadedRunbook } from "../src/runbook/load.js";
import { STEP_KINDS } from "../src/catalog.js";
import { REFERENCE_PERMISSIONS, ssmReferences } from "../src/runbook/resolve.js";
import type { Grant } from "../src/runbook/step.js";

/** The read-only actions of the scan (resource "*"): everything it declares but storage and email. */
export function readActions(): string[] {
  return (commandPermissions().scan ?? []).filter((a) => !a.startsWith("dynamodb:") && !a.startsWith("ses:"));
}

/** The read-only actions of freshness (resource "*"): what its store types declare, but storage and email. */
export function freshnessReadActions(): string[] {
  return (commandPermissions().freshness ?? []).filter(
    (a) => !a.startsWith("dynamodb:") && !a.startsWith("ses:"),
  );
}

/** What writing the DR plans reads (resource "*"): the runbooks' dry runs, high availability, tags. */
export function planReadActions(): string[] {
  return (commandPermissions().plan ?? []).filter((a) => !a.startsWith("dynamodb:") && !a.startsWith("ses:"));
}

/** Read-only actions: no resource-level scope is needed (or, for most, possible). */
const READ = /^[a-z0-9-]+:(Describe|List|Get)/;

/** ${config.KEY} replaced by the runbook's value (with the trigger's set:); other references stay. */
function withConfig(value: unknown, config: Record<string, string | number | boolean>): unknown {
  if (typeof value === "string") {
    const whole = /^\$\{config\.([A-Za-z0-9_.-]+)\}$/.exec(value);
    if (whole?.[1] !== undefined && whole[1] in config) return config[whole[1]];
    return value.replace(/\$\{config\.([A-Za-z0-9_.-]+)\}/g, (m, k: string) =>
      k in config ? String(config[k]) : m,
    );
  }
  if (Array.isArray(value)) return value.map((v) => withConfig(v, config));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withConfig(v, config)]));
  return value;
}

/**
 * What the failover function may do, from the runbooks it runs: each step's mutating actions on
 * the resources the step names (its kind's grants(); a name still a reference at deployment is
 * any resource of that type), the kinds' read-only actions on "*", ssm:GetParameter on the
 * parameters ${ssm:...} refers to (and kms:Decrypt through SSM), and sns:Publish on the triggers'
 * topics. `where` writes partition and account as the template does (tokens) or as text.
 */
export function runbookGrants(
  runbooks: LoadedRunbook[],
  where: { partition: string; account: string },
  notifyTopics: string[] = [],
): Grant[] {
  const grants: Grant[] = [];
  const reads = new Set<string>();
  for (const { runbook } of runbooks)
    for (const step of runbook.steps) {
      const kind = STEP_KINDS.get(step.kind);
      if (!kind) continue;
      const region = step.region ?? runbook.region;
      const params = withConfig(step.params, runbook.config) as Record<string, unknown>;
      const own = kind.grants?.(params, { ...where, region }) ?? [];
      grants.push(...own);
      // Its reads go on "*"; a mutating action the step's grants leave out is one it does not use.
      const granted = new Set(own.flatMap((g) => g.actions));
      for (const a of iamActions(kind.permissions)) if (!granted.has(a) && READ.test(a)) reads.add(a);
      const names = ssmReferences(params).map((n) => n.replace(/:[^:/]+$/, ""));
      if (names.length > 0) {
        grants.push({
          actions: ["ssm:GetParameter"],
          resources: names.map(
            (n) =>
              `arn:${where.partition}:ssm:${region}:${where.account}:parameter${n.startsWith("/") ? "" : "/"}${n}`,
          ),
        });
        grants.push({
          actions: iamActions(REFERENCE_PERMISSIONS.filter((op) => op.service === "KMS")),
          resources: ["*"],
          conditions: { StringEquals: { "kms:ViaService": `ssm.${region}.amazonaws.com` } },
        });
      }
    }
  if (notifyTopics.length > 0) grants.push({ actions: ["sns:Publish"], resources: notifyTopics });
  // Reads that some other step kind grants on named resources only (ssm:GetParameters) stay scoped.
  const scoped = new Set(grants.flatMap((g) => g.actions));
  const anywhere = [...reads].filter((a) => !scoped.has(a)).sort();
  return merge([...(anywhere.length ? [{ actions: anywhere, resources: ["*"] }] : []), ...grants]);
}

/** One statement per set of actions and conditions, with every resource it is granted on. */
function merge(grants: Grant[]): Grant[] {
  const byKey = new Map<string, Grant>();
  for (const g of grants) {
    const key = JSON.stringify([[...g.actions].sort(), g.conditions ?? null]);
    const had = byKey.get(key);
    byKey.set(key, {
      actions: [...g.actions].sort(),
      resources: [...new Set([...(had?.resources ?? []), ...g.resources])].sort(),
      ...(g.conditions ? { conditions: g.conditions } : {}),
    });
  }
  return [...byKey.values()];
}
