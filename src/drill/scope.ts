/**
 * What a drill's fault may touch: resources of the drilled application (drctl.yaml's
 * `applications:` tags or ARNs, the test freshness and the preflight use), in its primary region,
 * never one that another application claims, never one of an application whose lock another
 * run holds. `fault.scope: standby` lets it act in the standby region too; `fault.scope: any`
 * lets it act anywhere and on resources no application claims (a command, a shared resource), with
 * a reason that is journaled and printed. The targets are read from AWS (their ARNs and tags) by
 * the fault's kind before anything changes; the judgement is a pure function of what was read.
 */
import type { AwsClients } from "../aws/client-factory.js";
import { belongsTo, type Application } from "../config/applications.js";
import { DrctlError } from "../errors.js";
import { describeHolder, type LockRecord } from "../runbook/journal.js";
import type { StepKinds } from "../runbook/kinds.js";
import { UntoldTargets, type FaultTarget } from "../runbook/targets.js";
import { errorMessage } from "./canaries.js";
import type { LoadedDrill } from "./load.js";
import type { ScopeEvidence } from "./rules.js";
import type { DrillFile } from "./schema.js";

export type { FaultTarget } from "../runbook/targets.js";

export type FaultScope = "primary" | "standby" | "any";

/**
 * The resources the fault would act on, read from AWS through its kind (StepKind.targets);
 * untold when drctl cannot tell (a command's fault, an FIS target chosen by filters), with why.
 */
export async function faultTargets(
  aws: AwsClients,
  kinds: StepKinds,
  drill: DrillFile,
): Promise<{ targets: FaultTarget[] } | { untold: string }> {
  const kind = kinds.get(drill.fault.kind);
  if (!kind?.targets) return { untold: `drctl cannot tell what a ${drill.fault.kind} acts on` };
  try {
    return {
      targets: await kind.targets(aws, drill.fault.region ?? drill.regions.primary, drill.fault.params),
    };
  } catch (err) {
    if (err instanceof UntoldTargets) return { untold: err.message };
    throw err;
  }
}

export interface ScopeCheck {
  application: string;
  regions: { primary: string; standby: string };
  /** Where the fault's step acts. */
  faultRegion: string;
  scope: FaultScope;
  applications: readonly Application[];
  targets: { targets: FaultTarget[] } | { untold: string };
  /** The run holding each other application's lock, described ("run run-1 by pid 42 on host ..."). */
  locks: ReadonlyMap<string, string>;
}

const regionOfArn = (arn: string) => arn.split(":")[3] ?? "";

/** The regions a fault of this scope may act in (undefined: any). */
function allowedRegions(c: ScopeCheck): string[] | undefined {
  if (c.scope === "any") return undefined;
  return c.scope === "standby" ? [c.regions.primary, c.regions.standby] : [c.regions.primary];
}

/** How the drilled application is told apart, for a message. */
function howClaimed(c: ScopeCheck): string {
  const app = c.applications.find((a) => a.name === c.application);
  if (!app)
    return `application ${c.application} is not under applications: in drctl.yaml, so no resource is known to be its own`;
  const by = [
    ...(app.tags && Object.keys(app.tags).length
      ? [
          `tags ${Object.entries(app.tags)
            .map(([k, v]) => `${k}=${v}`)
            .join(", ")}`,
        ]
      : []),
    ...(app.arns?.length ? [`ARNs ${app.arns.join(", ")}`] : []),
  ];
  return `${c.application}'s resources are those with ${by.join(" or ") || "nothing (no tags or arns)"}`;
}

/**
 * Why the fault must not be injected (empty: it may). Every target is judged: the region it is
 * in, the applications that claim it, and the locks of those that are not the drilled one.
 */
export function scopeProblems(c: ScopeCheck): string[] {
  const problems: string[] = [];
  const allowed = allowedRegions(c);
  const outside = (region: string) => allowed !== undefined && region !== "" && !allowed.includes(region);
  const scopeHint =
    c.scope === "primary"
      ? "fault.scope: standby (or any) with a reason lets a drill act elsewhere"
      : "fault.scope: any with a reason lets a drill act anywhere";
  if (outside(c.faultRegion))
    problems.push(
      `the fault acts in ${c.faultRegion}, not in ${c.application}'s primary region ${c.regions.primary}; ${scopeHint}`,
    );
  if ("untold" in c.targets) {
    if (c.scope !== "any")
      problems.push(
        `${c.targets.untold}, so nothing shows it touches only ${c.application}; fault.scope: any with a reason says it does`,
      );
    return problems;
  }
  for (const t of c.targets.targets) {
    const owners = c.applications.filter((a) => belongsTo(a, t.arn, t.tags)).map((a) => a.name);
    const others = owners.filter((o) => o !== c.application);
    const held = others
      .filter((o) => c.locks.has(o))
      .map((o) => `; ${o}'s lock is held by ${c.locks.get(o) ?? "another run"}`)
      .join("");
    const what = `${t.name}${t.arn && !t.name.includes(t.arn) ? ` (${t.arn})` : ""}`;
    if (owners.length > 1)
      problems.push(
        `${what} belongs to applications ${owners.join(" and ")}: a fault on it touches both${held}`,
      );
    else if (others.length === 1)
      problems.push(`${what} belongs to application ${others[0] ?? ""}, not to ${c.application}${held}`);
    else if (owners.length === 0 && c.scope !== "any")
      problems.push(`${what} is not a resource of ${c.application}: ${howClaimed(c)}`);
    const region = regionOfArn(t.arn);
    if (outside(region))
      problems.push(
        `${what} is in ${region}, not in ${c.application}'s primary region ${c.regions.primary}; ${scopeHint}`,
      );
  }
  return problems;
}

/**
 * What the fault would act on and why it must not (no problems: it may), read from AWS and from
 * the journal's locks of the other applications. The run's preflight and the plan both judge by it,
 * so a plan says what the run would refuse. A read that fails is could-not-finish, never "may".
 */
export async function readScope(
  aws: AwsClients,
  d: LoadedDrill,
  applications: readonly Application[],
  lockOf: (application: string) => Promise<LockRecord | undefined>,
): Promise<ScopeEvidence> {
  const { drill } = d;
  let targets: Awaited<ReturnType<typeof faultTargets>>;
  try {
    targets = await faultTargets(aws, d.kinds, drill);
  } catch (err) {
    throw new DrctlError(
      `${d.file}: fault (${drill.fault.kind}): cannot read what it acts on: ${errorMessage(err)}; nothing was changed`,
      { cause: err },
    );
  }
  const locks = new Map<string, string>();
  for (const app of applications) {
    if (app.name === drill.application) continue;
    const held = await lockOf(app.name);
    if (held) locks.set(app.name, describeHolder(held));
  }
  const problems = scopeProblems({
    application: drill.application,
    regions: drill.regions,
    faultRegion: drill.fault.region ?? drill.regions.primary,
    scope: drill.fault.scope,
    applications,
    targets,
    locks,
  });
  return { kind: drill.fault.kind, problems, targets: "targets" in targets ? targets.targets : [] };
}
