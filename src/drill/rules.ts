/**
 * What a drill can find, as rules like the scan's: each with its id, severity, title, rationale and
 * remediation beside its check, listed in the catalogue, documented in docs/rules.md and
 * suppressible in drctl.yaml. A drill's check reads what the drill saw (its evidence), not a pair
 * of twins; each difference names what it is about: the fault's target, a canary's store or an
 * endpoint, with their ARNs where the drill knows them, or the drilled application itself.
 */
import type { Finding, RuleInfo } from "../core/finding.js";
import { formatDuration } from "../util/duration.js";

/** What a drill finding is about: a name, and the primary's and the standby's ARNs where known. */
export interface DrillSubject {
  name: string;
  primaryArn?: string;
  standbyArn?: string | null;
}

/** One thing a drill rule found. */
export interface DrillDifference {
  path: string;
  message: string;
  about: DrillSubject;
}

/** A drill rule: its documentation and the check of what the drill saw. */
export interface DrillRule<E> extends RuleInfo {
  /** drift: the drill saw something wrong; error: it could not measure what it is for. */
  status: "drift" | "error";
  check(evidence: E): DrillDifference[];
}

const NOT_STARTED = "the drill was not started, nothing was changed";

const rule = <E>(r: Omit<DrillRule<E>, "resourceType">): DrillRule<E> => ({ ...r, resourceType: "drill" });

/** The fault's targets and why they are not the drill's to touch (src/drill/scope.ts). */
export interface ScopeEvidence {
  kind: string;
  problems: string[];
  targets: { name: string; arn: string }[];
}

export const scopeRule = rule<ScopeEvidence>({
  id: "drill.scope",
  status: "drift",
  severity: "high",
  title: "The fault acts only on the drilled application's own resources",
  compares: "what the fault would act on against drctl.yaml's applications: and the locks of the others",
  rationale:
    "A fault on another application's resource, or in a region the drill does not fail over from, breaks what the drill does not measure and cannot revert as part of its failback.",
  remediation:
    "Name a resource of the drilled application in its primary region (drctl.yaml's applications: says which are its own), wait for the run that holds the other application's lock, or say fault.scope with a reason.",
  check: (e) => {
    if (e.problems.length === 0) return [];
    const target = e.targets.find((t) => t.arn) ?? e.targets[0];
    return [
      {
        path: "fault",
        message: `${NOT_STARTED}: ${e.problems.join("; ")}`,
        about: {
          name: `the fault's target${target ? ` ${target.name}` : ` (${e.kind})`}`,
          ...(target?.arn ? { primaryArn: target.arn } : {}),
        },
      },
    ];
  },
});

/** A canary and where its markers are written and read. */
export interface CanarySubject {
  canary: string;
  primaryArn?: string;
  standbyArn?: string | null;
}

const canaryAbout = (c: CanarySubject): DrillSubject => ({
  name: `canary ${c.canary}`,
  ...(c.primaryArn ? { primaryArn: c.primaryArn } : {}),
  ...(c.standbyArn !== undefined ? { standbyArn: c.standbyArn } : {}),
});

export interface NoCopyEvidence {
  standbyRegion: string;
  canaries: (CanarySubject & { problem?: string })[];
}

export const canaryNoCopyRule = rule<NoCopyEvidence>({
  id: "drill.canary-no-copy",
  status: "drift",
  severity: "high",
  title: "Every canary's store has a copy in the standby",
  compares: "each canary's store against its replica in the standby region",
  rationale:
    "The RPO is measured by reading in the standby the markers written in the primary: a store with no copy there measures nothing, and a drill that cannot measure its RPO is not started.",
  remediation:
    "Name a store the application replicates to the standby region (its copy is where the markers are read), or fix its replication.",
  check: (e) => {
    const missing = e.canaries.filter((c) => c.problem);
    if (missing.length === 0) return [];
    const all = missing.map((c) => `canary ${c.canary}: ${c.problem ?? ""}`).join("; ");
    const first = missing[0] as CanarySubject;
    return [
      {
        path: "canaries",
        message: `${NOT_STARTED}: ${all}: the RPO could not be measured`,
        about: canaryAbout(first),
      },
    ];
  },
});

export interface PreflightEvidence {
  application: string;
  problems: string[];
}

export const preflightRule = rule<PreflightEvidence>({
  id: "drill.preflight",
  status: "drift",
  severity: "high",
  title: "The standby is ready before the fault",
  compares: "the drilled application's readiness scan and data freshness, run before the fault",
  rationale:
    "A failover onto a standby that the scan finds not ready, or whose replication is broken, fails for a known reason and loses data: the drill is refused unless started anyway with --force WHY.",
  remediation:
    "Fix what the scan and freshness found, or start the drill anyway with --force WHY (journaled).",
  check: (e) =>
    e.problems.length === 0
      ? []
      : [
          {
            path: "",
            message: `the drill was not started: ${e.problems.join("; ")}`,
            about: { name: e.application },
          },
        ],
});

export interface ArrivalEvidence {
  standbyRegion: string;
  baselineSeconds: number;
  canaries: (CanarySubject & { arrived: boolean })[];
}

export const canaryNotArrivedRule = rule<ArrivalEvidence>({
  id: "drill.canary-not-arrived",
  status: "drift",
  severity: "medium",
  title: "Each canary's first marker reaches the standby within the baseline",
  compares: "the first marker each canary wrote in the primary against its copy in the standby",
  rationale:
    "The RPO rests on markers that have had the time to arrive: a store slower than the baseline may lose writes the drill cannot tell from lag, so its RPO is only a lower bound.",
  remediation:
    "Raise probe.baseline above the store's replication lag, or check its replication (drctl freshness).",
  check: (e) =>
    e.canaries
      .filter((c) => !c.arrived)
      .map((c) => ({
        path: `canaries.${c.canary}`,
        message: `no marker of canary ${c.canary} reached ${e.standbyRegion} within the baseline (${formatDuration(e.baselineSeconds)}): its RPO may be at least the time it wrote`,
        about: canaryAbout(c),
      })),
});

export interface RefusedEvidence {
  canaries: (CanarySubject & { error?: string; refused: boolean })[];
}

export const canaryRefusedRule = rule<RefusedEvidence>({
  id: "drill.canary-refused",
  status: "error",
  severity: "high",
  title: "Every canary's store accepts the drill's writes",
  compares: "the canary's writes in the primary before the fault",
  rationale:
    "Without acknowledged writes before the fault there is nothing to look for in the standby: the RPO cannot be measured, and the drill is not started.",
  remediation:
    "Give drctl write access to the canary's store (see Permissions), or name another store in the drill file.",
  check: (e) =>
    e.canaries
      .filter((c) => c.refused)
      .slice(0, 1)
      .map((c) => ({
        path: `canaries.${c.canary}`,
        message: `canary ${c.canary} refuses writes: ${c.error ?? "?"}; ${NOT_STARTED}`,
        about: canaryAbout(c),
      })),
});

export interface BaselineEvidence {
  primaryRegion: string;
  consecutive: number;
  baselineSeconds: number;
  /** Endpoints with no K answers in a row from the primary, each with its last answer. */
  missing: { endpoint: string; url: string; last: string }[];
  /** Canaries that acknowledged no write. */
  silent: string[];
}

export const noBaselineRule = rule<BaselineEvidence>({
  id: "drill.no-baseline",
  status: "error",
  severity: "high",
  title: "Every endpoint answers from the primary, and every canary writes, before the fault",
  compares: "the probes' answers and the canaries' writes before the fault",
  rationale:
    "An RTO is the time from the fault until the standby serves: without answers from the primary first, the probes could not tell the fault's effect from a failure that was already there.",
  remediation:
    "Check the endpoint's URL, expected answer and region field (region.primary if it names the primary otherwise), or raise probe.baseline.",
  check: (e) => {
    if (e.missing.length === 0 && e.silent.length === 0) return [];
    const within = formatDuration(e.baselineSeconds);
    if (e.missing.length === 0)
      return [
        {
          path: "",
          message: `canary ${e.silent.join(", ")} acknowledged no write within ${within}; the drill was not started`,
          about: { name: `canary ${e.silent.join(", ")}` },
        },
      ];
    const detail = e.missing.map((m) => `${m.endpoint} (${m.url}): last answer ${m.last}`).join("; ");
    return [
      {
        path: "",
        message: `no baseline: ${e.missing.length} endpoint(s) never answered ${e.consecutive} times in a row from ${e.primaryRegion} within ${within}: ${detail}; ${NOT_STARTED}`,
        about: { name: e.missing.map((m) => `endpoint ${m.endpoint} (${m.url})`).join(", ") },
      },
    ];
  },
});

export interface RegionFieldEvidence {
  endpoints: { name: string; url: string; namesRegion: boolean; lookedFor?: string }[];
}

export const noRegionFieldRule = rule<RegionFieldEvidence>({
  id: "drill.no-region-field",
  status: "drift",
  severity: "medium",
  title: "Each endpoint's answers say which region served them",
  compares: "the region header, field or pattern of each endpoint's answers before the fault",
  rationale:
    "Without the region in the answer, a recovery is seen by status alone: an endpoint that never failed cannot be told from one served by the standby, and the failback cannot be measured.",
  remediation:
    "Have the application say which region answered (a header such as x-region, or a field of its health answer) and name it under the endpoint's region:.",
  check: (e) =>
    e.endpoints
      .filter((x) => !x.namesRegion)
      .map((x) => ({
        path: `endpoints.${x.name}.region`,
        message: `endpoint ${x.name}'s answers name no region${x.lookedFor ? ` (${x.lookedFor} not found)` : " (no region: in the drill file)"}: its RTO is measured by status alone`,
        about: { name: `endpoint ${x.name} (${x.url})` },
      })),
});

export interface InterruptedEvidence {
  application: string;
  drillId: string;
  resumed: boolean;
  reverted: boolean;
}

export const interruptedRule = rule<InterruptedEvidence>({
  id: "drill.interrupted",
  status: "error",
  severity: "high",
  title: "A drill runs to its end in one process",
  compares: "whether the drill was resumed after its process stopped",
  rationale:
    "The probes stop with the process: a drill resumed after a crash reverts its fault and fails back, but what it did not see (the standby serving, the failback) is missing from its figures.",
  remediation: "Run the drill again for a complete measurement.",
  check: (e) =>
    e.resumed
      ? [
          {
            path: "",
            message: `drill ${e.drillId} was interrupted (its process stopped) and resumed: ${e.reverted ? "the fault was reverted" : "THE FAULT IS STILL IN PLACE"}; figures not measured before the stop are missing`,
            about: { name: e.application },
          },
        ]
      : [],
});

/** The rules a drill checks itself. */
export const DRILL_RULES = [
  scopeRule,
  canaryNoCopyRule,
  preflightRule,
  canaryNotArrivedRule,
  canaryRefusedRule,
  noBaselineRule,
  noRegionFieldRule,
  interruptedRule,
] as const;

/**
 * The preflight's freshness findings (src/drill/preflight.ts makes them from each broken or
 * unreadable store freshness measured: the store's ARNs are its pair).
 */
export const PREFLIGHT_STORE_RULES: RuleInfo[] = [
  {
    id: "drill.preflight.broken",
    resourceType: "drill",
    severity: "high",
    title: "Replication of the drilled application's stores works before the fault",
    compares: "each data store's replication to the standby, measured by freshness before the fault",
    rationale:
      "A failover onto a copy that replication stopped filling loses every write since it stopped: the drill is refused unless started anyway with --force WHY.",
    remediation:
      "Fix the store's replication (drctl freshness says how), or start the drill with --force WHY.",
  },
  {
    id: "drill.preflight.error",
    resourceType: "drill",
    severity: "high",
    title: "Freshness can read the drilled application's stores before the fault",
    compares: "each data store's replication state, read before the fault",
    rationale:
      "What could not be read says nothing about the standby's data: the drill is refused rather than fail over onto a copy nobody looked at.",
    remediation:
      "Grant drctl the reads freshness needs (see Permissions), or start the drill with --force WHY.",
  },
];

/** Every rule a drill reports, in report order. */
export const drillRuleInfos = (): RuleInfo[] => [...DRILL_RULES, ...PREFLIGHT_STORE_RULES];

/** The findings of a drill rule for what the drill saw. */
export function drillFindings<E>(r: DrillRule<E>, evidence: E): Finding[] {
  return r.check(evidence).map((d) => ({
    pair: d.about.name,
    primaryArn: d.about.primaryArn ?? "",
    secondaryArn: d.about.standbyArn ?? null,
    resourceType: r.resourceType,
    ruleId: r.id,
    severity: r.severity,
    status: r.status,
    path: d.path,
    primary: null,
    secondary: null,
    message: d.message,
    remediation: r.remediation,
  }));
}
