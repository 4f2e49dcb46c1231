/** The dry run of a drill: the fault's and the runbook's plans, one probe of each endpoint. */
import type { AwsClients } from "../aws/client-factory.js";
import type { Application } from "../config/applications.js";
import { planRunbook, type PlannedStep } from "../runbook/engine.js";
import { DrctlError } from "../errors.js";
import type { LockRecord } from "../runbook/journal.js";
import { formatDuration } from "../util/duration.js";
import type { CanaryStore } from "./canaries.js";
import type { LoadedDrill } from "./load.js";
import { probeOnce, type Resolver } from "./probe.js";
import type { DrillEndpoint } from "./schema.js";
import { faultRunbook } from "./runs.js";
import { readScope } from "./scope.js";

/** What the plan of a drill shows: the fault's step, the runbook's steps, the probes and canaries. */
export interface DrillPlan {
  fault: PlannedStep[];
  runbook: PlannedStep[] | null;
  probes: { endpoint: string; url: string; answer: string }[];
  canaries: string[];
  failback: string;
  /**
   * Why `drill run --execute` would refuse to start, as its preflight judges before the readiness
   * scan: the fault's target not the drill's to touch, a canary with no copy in the standby.
   */
  refusals: string[];
  /** What could not be read to judge that (access denied, AWS unreachable): the plan cannot say. */
  unread: string[];
}

/** What the plan needs to judge the fault's scope: drctl.yaml's applications, the other applications' locks. */
export interface PlanScope {
  applications: readonly Application[];
  /** The lock an application's run holds; read only when there is another application. */
  lockOf: (application: string) => Promise<LockRecord | undefined>;
}

/** A read the plan needs that failed: said in the plan, never the plan thrown away. */
async function unlessUnread<T>(read: () => Promise<T>, unread: string[]): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof DrctlError)) throw err;
    unread.push(err.message);
    return undefined;
  }
}

/** The refusals the run's preflight would make before its readiness scan, from the same reads. */
async function refusalsOf(
  aws: AwsClients,
  d: LoadedDrill,
  canaries: CanaryStore[],
  scope: PlanScope,
): Promise<Pick<DrillPlan, "refusals" | "unread">> {
  const refusals: string[] = [];
  const unread: string[] = [];
  const judged = await unlessUnread(() => readScope(aws, d, scope.applications, scope.lockOf), unread);
  if (judged && judged.problems.length > 0)
    refusals.push(`the fault's target is not the drill's to touch: ${judged.problems.join("; ")}`);
  for (const c of canaries) {
    const problem = await unlessUnread(() => c.standbyCopy(), unread);
    if (problem) refusals.push(`canary ${c.name}: ${problem}`);
  }
  return { refusals, unread };
}

/** The dry run: the fault's plan, the failover runbook's, one probe of each endpoint; nothing changed. */
export async function planDrill(
  aws: AwsClients,
  d: LoadedDrill,
  resolver: Resolver,
  canaries: CanaryStore[],
  scope: PlanScope,
): Promise<DrillPlan> {
  const { drill } = d;
  const fault = await planRunbook(aws, faultRunbook(d));
  const runbook = d.runbook ? await planRunbook(aws, d.runbook) : null;
  const probes = await Promise.all(
    drill.endpoints.map(async (e) => {
      const s = await probeOnce(e, settingsOf(d, resolver));
      return {
        endpoint: e.name,
        url: e.url,
        answer: s.error
          ? `no answer: ${s.error}`
          : `${s.status ?? "?"}${s.ok ? " ok" : " (not the expected answer)"} from ${s.region ?? "no region named"} at ${s.address ?? "?"} in ${s.ms} ms`,
      };
    }),
  );
  const judged = await refusalsOf(aws, d, canaries, scope);
  return {
    fault,
    runbook,
    probes,
    canaries: canaries.map((c) => `${c.describe}, every ${formatDuration(c.intervalSeconds)}`),
    failback:
      d.failbackMode === "file"
        ? `the failback runbook ${d.failback?.file ?? ""}`
        : d.failbackMode === "generated"
          ? d.runbook
            ? "generated from the failover run's journal"
            : "the fault's revert (no runbook to undo)"
          : "none (the fault's revert only)",
    ...judged,
  };
}

export function settingsOf(d: LoadedDrill, resolver: Resolver) {
  const { drill } = d;
  return {
    timeoutMs: drill.probe.timeout * 1000,
    resolver,
    primaryValue: (e: DrillEndpoint) => (e.region?.primary ?? drill.regions.primary).toLowerCase(),
    standbyValue: (e: DrillEndpoint) => (e.region?.standby ?? drill.regions.standby).toLowerCase(),
  };
}
