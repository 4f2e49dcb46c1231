/**
 * The baseline: probes until every endpoint answered K times in a row from the primary, and each
 * canary acknowledged a write whose marker reached the standby. Refused otherwise (no baseline, a
 * store that refuses writes); an interrupt here ends the drill before its fault, nothing changed.
 */
import type { Finding } from "../../core/finding.js";
import type { CanaryStore, CanaryWriter } from "../canaries.js";
import { baselineReady } from "../figures.js";
import { namesRegion, type CanaryWrite } from "../measure.js";
import { Prober } from "../probe.js";
import { settingsOf } from "../plan.js";
import { endedUnmeasured } from "../record.js";
import {
  canaryNotArrivedRule,
  canaryRefusedRule,
  drillFindings,
  noBaselineRule,
  noRegionFieldRule,
} from "../rules.js";
import type { DrillEndpoint } from "../schema.js";
import { anySignal, FAULT_STEP, type DrillState, type Live } from "../state.js";
import type { Phase, PhaseEnd } from "./phase.js";

/** The probes and the canaries' writers, started. */
function startLive(state: DrillState, stores: CanaryStore[]): Live {
  const { drill } = state;
  const prober = new Prober(
    drill.endpoints,
    drill.probe.interval * 1000,
    settingsOf(state.d, state.options.resolver),
  );
  prober.start();
  const writers = stores.map((s) => state.canaryWriter(s, "primary", 0));
  for (const w of writers) w.start();
  return { prober, writers, standbyWriters: [] };
}

/**
 * Each canary's first marker looked for on the standby, so the RPO rests on markers that have had
 * the time to arrive (replication working, its lag known): the canaries whose marker arrived.
 */
function watchArrivals(
  state: DrillState,
  stores: CanaryStore[],
  writers: CanaryWriter[],
  end: AbortSignal,
): Set<string> {
  const arrived = new Set<string>();
  void Promise.all(
    stores.map(async (s, i) => {
      while (!end.aborted && !state.options.interrupt?.aborted) {
        const first = writers[i]?.writes.find((x) => x.ok);
        if (
          first &&
          (await s.present("standby", [first.marker]).catch(() => new Set<string>())).has(first.marker)
        ) {
          arrived.add(s.name);
          return;
        }
        if (writers[i]?.writes.some((x) => !x.ok)) return;
        await new Promise((r) => setTimeout(r, s.intervalSeconds * 1000));
      }
    }),
  );
  return arrived;
}

const refusing = (writers: CanaryWriter[]) => writers.flatMap((w) => w.writes.filter((x) => !x.ok));
const everyWrote = (writers: CanaryWriter[]) => writers.every((w) => w.writes.some((x) => x.ok));

/** Stops the probes and the writers and removes the markers: nothing of the drill left. */
async function stopLive(state: DrillState, live: Live): Promise<void> {
  for (const w of live.writers) await w.stop();
  await live.prober.stop();
  await state.removeMarkers(state.stores ?? []);
}

/** Refused at the baseline: the fault's step not run, the run failed, the lock freed. */
async function baselineFailed(
  state: DrillState,
  live: Live,
  why: string,
  findings: Finding[],
): Promise<PhaseEnd> {
  const { journal, id } = state;
  await stopLive(state, live);
  await journal.updateStep(id, FAULT_STEP, { status: "skipped", error: `not run: ${why}` });
  await journal.updateRun(id, { status: "failed", finishedAt: new Date().toISOString() });
  await state.event({ t: "end", outcome: "refused" });
  await state.unlock();
  state.findings.push(...findings);
  state.reverted = true;
  return { outcome: endedUnmeasured(state, "refused", why, []) };
}

/** Interrupted before the fault: nothing was changed, the lock freed. */
async function interruptedBeforeFault(state: DrillState, live: Live): Promise<PhaseEnd> {
  const { journal, id } = state;
  await stopLive(state, live);
  await journal.updateStep(id, FAULT_STEP, {
    status: "skipped",
    error: "not run: interrupted before the fault",
  });
  await journal.updateRun(id, { status: "interrupted", finishedAt: new Date().toISOString() });
  await state.unlock();
  await state.mark("interrupted", Date.now(), "interrupted before the fault: nothing was changed");
  state.reverted = true;
  return {
    outcome: endedUnmeasured(state, "interrupted", "interrupted before the fault", live.prober.samples()),
  };
}

/** The endpoints with no K answers in a row from the primary, each with its last answer. */
function missingEndpoints(state: DrillState, p: Prober) {
  const k = state.drill.probe.consecutive;
  return state.drill.endpoints
    .filter((e) => !baselineReady(p, [e], k))
    .map((e) => {
      const last = p.answered(e.name).at(-1);
      const seen = last
        ? (last.error ?? `${last.status ?? "?"}${last.ok ? ` from ${last.region ?? "?"}` : ""}`)
        : "no answer";
      return { endpoint: e.name, url: e.url, last: seen };
    });
}

/** No baseline: which endpoints never answered from the primary, or which canaries wrote nothing. */
function noBaseline(state: DrillState, live: Live): Promise<PhaseEnd> {
  const { drill } = state;
  const missing = missingEndpoints(state, live.prober);
  const silent = live.writers
    .filter((w) => !w.writes.some((x) => x.ok))
    .map((w) => w.writes[0]?.canary ?? "");
  const detail = missing.map((m) => `${m.endpoint} (${m.url}): last answer ${m.last}`).join("; ");
  const evidence = {
    primaryRegion: drill.regions.primary,
    consecutive: drill.probe.consecutive,
    baselineSeconds: drill.probe.baseline,
    missing,
    silent,
  };
  return baselineFailed(
    state,
    live,
    missing.length ? `no baseline: ${detail}` : `canary ${silent.join(", ")} acknowledged no write`,
    drillFindings(noBaselineRule, evidence),
  );
}

/** What the endpoint's region: says to look for, for a finding that it was not found. */
const lookedFor = (e: DrillEndpoint) =>
  e.region
    ? e.region.header
      ? `header ${e.region.header}`
      : e.region.json
        ? `field ${e.region.json}`
        : `pattern ${e.region.pattern ?? ""}`
    : undefined;

/** Canaries whose first marker did not reach the standby in the baseline: their RPO a lower bound. */
function notArrived(state: DrillState, arrived: Set<string>): Finding[] {
  const { drill } = state;
  const canaries = (state.stores ?? []).map((s) => ({
    canary: s.name,
    ...s.arns,
    arrived: arrived.has(s.name),
  }));
  return drillFindings(canaryNotArrivedRule, {
    standbyRegion: drill.regions.standby,
    baselineSeconds: drill.probe.baseline,
    canaries,
  });
}

/** Endpoints whose answers name no region: their RTO measured by status alone. */
function noRegion(state: DrillState, live: Live): Finding[] {
  const endpoints = state.drill.endpoints.map((e) => {
    const looked = lookedFor(e);
    return {
      name: e.name,
      url: e.url,
      namesRegion: namesRegion(live.prober.answered(e.name)),
      ...(looked ? { lookedFor: looked } : {}),
    };
  });
  return drillFindings(noRegionFieldRule, { endpoints });
}

async function baseline(state: DrillState): Promise<PhaseEnd> {
  const { drill, options } = state;
  const k = drill.probe.consecutive;
  const stores = state.stores ?? [];
  const live = startLive(state, stores);
  state.live = live;
  const { prober: p, writers } = live;
  state.say(`baseline: waiting for ${k} answers in a row from ${drill.regions.primary} on every endpoint`);
  const baselineEnd = AbortSignal.timeout(drill.probe.baseline * 1000);
  const arrived = watchArrivals(state, stores, writers, baselineEnd);
  const ready = await p.until(
    () => {
      if (refusing(writers).length) return "refused" as const;
      return baselineReady(p, drill.endpoints, k) && everyWrote(writers) && arrived.size === stores.length
        ? ("ready" as const)
        : undefined;
    },
    anySignal([baselineEnd, options.interrupt]),
  );
  const endpointsReady = baselineReady(p, drill.endpoints, k) && everyWrote(writers);
  // Only replication is slower than the baseline: the drill goes on, its RPO a lower bound.
  const lateOnly = ready === undefined && endpointsReady;
  if (lateOnly) state.findings.push(...notArrived(state, arrived));
  if (options.interrupt?.aborted) return interruptedBeforeFault(state, live);
  if (ready === "refused") {
    const bad = refusing(writers)[0] as CanaryWrite;
    const canaries = stores.map((s) => ({
      canary: s.name,
      ...s.arns,
      refused: s.name === bad.canary,
      ...(bad.error ? { error: bad.error } : {}),
    }));
    return baselineFailed(
      state,
      live,
      `canary ${bad.canary} refuses writes`,
      drillFindings(canaryRefusedRule, { canaries }),
    );
  }
  if (ready !== "ready" && !lateOnly) return noBaseline(state, live);
  state.findings.push(...noRegion(state, live));
  await state.mark(
    "baseline",
    Date.now(),
    `${drill.endpoints.length} endpoint(s) answered ${k} times in a row from ${drill.regions.primary}`,
  );
  return "finished";
}

export const baselinePhase: Phase = {
  name: "baseline",
  // A resume has no probes (they went with the process): the fault's phase says the fault never came.
  run: (_aws, state) => (state.resumed ? Promise.resolve("finished") : baseline(state)),
};
