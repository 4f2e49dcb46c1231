/** The dry run of a drill: the fault's and the runbook's plans, one probe of each endpoint. */
import type { AwsClients } from "../aws/client-factory.js";
import { planRunbook, type PlannedStep } from "../runbook/engine.js";
import { formatDuration } from "../util/duration.js";
import type { CanaryStore } from "./canaries.js";
import type { LoadedDrill } from "./load.js";
import { Prober, type Resolver } from "./probe.js";
import type { DrillEndpoint } from "./schema.js";
import { faultRunbook } from "./runs.js";

/** What the plan of a drill shows: the fault's step, the runbook's steps, the probes and canaries. */
export interface DrillPlan {
  fault: PlannedStep[];
  runbook: PlannedStep[] | null;
  probes: { endpoint: string; url: string; answer: string }[];
  canaries: string[];
  failback: string;
}

/** The dry run: the fault's plan, the failover runbook's, one probe of each endpoint; nothing changed. */
export async function planDrill(
  aws: AwsClients,
  d: LoadedDrill,
  resolver: Resolver,
  canaries: CanaryStore[],
): Promise<DrillPlan> {
  const { drill } = d;
  const fault = await planRunbook(aws, faultRunbook(d));
  const runbook = d.runbook ? await planRunbook(aws, d.runbook) : null;
  const prober = new Prober(drill.endpoints, drill.probe.interval * 1000, settingsOf(d, resolver));
  const probes = await Promise.all(
    drill.endpoints.map(async (e) => {
      const { probeOnce } = await import("./probe.js");
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
  void prober;
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
