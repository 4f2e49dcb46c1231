/**
 * The revert: the fault's inverse, generated from the fault run's journal (a failback of it), or
 * a revert a crash stopped, resumed. Never interrupted. A first run has the canaries that write
 * both ways write in the standby first (the failback's RPO); a resume whose revert fails ends
 * there, loudly: the fault is still in place.
 */
import type { AwsClients } from "../../aws/client-factory.js";
import { interruptedRecord, outcomeOf } from "../record.js";
import { revert } from "../runs.js";
import type { DrillState, Live } from "../state.js";
import type { Phase, PhaseEnd } from "./phase.js";

/** Canaries that write both ways write in the standby once it serves, until each wrote once. */
async function writeInStandby(state: DrillState, live: Live): Promise<void> {
  const stores = state.stores ?? [];
  if (!state.interrupted && state.failover?.recoveredAt)
    for (const [i, s] of stores.entries())
      if (s.bothWays) {
        const w = state.canaryWriter(s, "standby", live.writers[i]?.nextSeq ?? 1000);
        live.standbyWriters.push(w);
        w.start();
      }
  if (live.standbyWriters.length)
    await live.prober.until(
      () => (live.standbyWriters.every((w) => w.writes.length > 0) ? true : undefined),
      AbortSignal.timeout(10_000),
    );
  for (const w of live.standbyWriters) await w.stop();
}

async function revertFault(aws: AwsClients, state: DrillState): Promise<PhaseEnd> {
  if (state.live) {
    await writeInStandby(state, state.live);
    state.failbackAt = Date.now();
    await state.mark("failback-start", state.failbackAt, "failback: the fault is reverted");
    state.say("revert: the fault's undo, from its journal");
  }
  // A fault never injected (a drill stopped before it) has nothing to revert.
  state.reverted = state.injected ? await revert(aws, state, state.faultLoaded) : true;
  if (state.reverted) return "finished";
  // A resume that cannot revert ends here: its markers and lock kept for the next one.
  if (state.resumed) return { outcome: outcomeOf(interruptedRecord(state), false) };
  return "unfinished";
}

export const revertPhase: Phase = { name: "revert", run: revertFault };
