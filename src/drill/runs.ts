/**
 * The runs of a drill: its own (one step, the fault), the fault's revert (generated from that
 * run's journal) and the failback of its failover runbook.
 */
import { randomBytes } from "node:crypto";
import type { AwsClients } from "../aws/client-factory.js";
import { InputError } from "../errors.js";
import type { RunResult } from "../runbook/engine.js";
import { generateFailback, writeFailback } from "../runbook/failback.js";
import type { RunRecord } from "../runbook/journal.js";
import { loadRunbook, type LoadedRunbook } from "../runbook/load.js";
import type { StepSpec } from "../runbook/schema.js";
import { errorMessage } from "./canaries.js";
import type { LoadedDrill } from "./load.js";
import { FAULT_STEP, journaled, type DrillState, type Journaled } from "./state.js";

export function newDrillId(): string {
  return `drill-${new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${randomBytes(2).toString("hex")}`;
}

/** The runbook of the drill's own run: one step, the fault. */
export function faultRunbook(d: LoadedDrill): LoadedRunbook {
  const { drill } = d;
  const step: StepSpec = {
    id: FAULT_STEP,
    kind: drill.fault.kind,
    ...(drill.fault.region ? { region: drill.fault.region } : {}),
    params: drill.fault.params as StepSpec["params"],
    after: [],
    timeoutSeconds: 900,
    retries: 0,
    onFailure: "stop",
  };
  return {
    runbook: {
      version: 1,
      name: `drill ${drill.name}`,
      description: `the fault of drill ${drill.name} (${d.file})`,
      application: drill.application,
      region: drill.fault.region ?? drill.regions.primary,
      config: {},
      steps: [step],
    },
    file: d.file,
    hash: d.hash,
    set: {},
    kinds: d.kinds,
  };
}

/** A run journaled as a drill's own (its runbook is named "drill NAME"). */
export const isDrillRun = (r: RunRecord) => r.runbook.startsWith("drill ") && r.runId.startsWith("drill-");

/** The failback runbook of a failover run: the drill's file, or generated from the run's journal. */
export function failbackRunbook(
  d: LoadedDrill,
  state: DrillState,
  failover: RunResult,
): LoadedRunbook | undefined {
  if (d.failbackMode === "none") return undefined;
  // A failover that did not finish is undone by what its journal says ran, whatever the file says.
  if (d.failbackMode === "file" && d.failback && failover.run.status === "succeeded") return d.failback;
  if (!d.runbook) return undefined;
  try {
    const { runbook } = generateFailback(d.runbook, failover.run, failover.steps);
    return loadRunbook(d.kinds, writeFailback(state.options.runbookDir, failover.run, runbook));
  } catch (err) {
    if (err instanceof InputError && /changed nothing/.test(err.message)) return undefined;
    throw err;
  }
}

/** Reverts the fault (the generated failback of the drill's run), or resumes a revert a crash stopped. */
export async function revert(
  aws: AwsClients,
  state: DrillState,
  faultLoaded: LoadedRunbook,
): Promise<boolean> {
  const { journal, id } = state;
  const events = await journaled(journal, id);
  const existing = events.find(
    (e): e is Extract<Journaled, { t: "run" }> => e.t === "run" && e.phase === "revert",
  );
  let result: RunResult | undefined;
  try {
    if (existing) {
      const run = await journal.run(existing.runId);
      state.runs.revert = existing.runId;
      if (run?.status === "succeeded") result = { run, steps: await journal.steps(run.runId) };
      else if (run) result = await state.resume(run.runId, loadRunbook(faultLoaded.kinds, run.file), aws);
    }
    if (!result) {
      const run = (await journal.run(id)) as RunRecord;
      const steps = await journal.steps(id);
      const { runbook } = generateFailback(faultLoaded, run, steps);
      const file = writeFailback(state.options.runbookDir, run, runbook);
      result = await state.runbook(
        "revert",
        loadRunbook(faultLoaded.kinds, file),
        { undoes: id },
        aws,
        false,
      );
    }
  } catch (err) {
    if (err instanceof InputError && /changed nothing/.test(err.message)) {
      // Nothing succeeded, but a fault step that journaled its intent may have made its call (then
      // failed or was stopped while settling): it may be in place, and only a resume can tell.
      const step = (await journal.steps(id)).find((s) => s.stepId === FAULT_STEP);
      if (step?.intent && step.status !== "succeeded") {
        state.unfinished.push(
          `THE FAULT MAY STILL BE IN PLACE: its step ${step.status} after it was sent${step.error ? ` (${step.error})` : ""}; drctl drill resume ${id} --execute reverts it`,
        );
        state.say(`drctl: THE FAULT MAY STILL BE IN PLACE: drctl drill resume ${id} --execute`);
        return false;
      }
      await state.mark("fault-reverted", Date.now(), "nothing to revert: the fault changed nothing");
      return true;
    }
    state.unfinished.push(
      `THE FAULT COULD NOT BE REVERTED: ${errorMessage(err)}; drctl drill resume ${id} --execute tries again`,
    );
    return false;
  }
  if (result.run.status !== "succeeded") {
    const why = result.steps.find((s) => s.status !== "succeeded")?.error ?? result.run.status;
    state.unfinished.push(
      `THE FAULT IS STILL IN PLACE: its revert (run ${result.run.runId}) ${result.run.status}: ${why}; drctl drill resume ${id} --execute tries again`,
    );
    state.say(`drctl: THE FAULT IS STILL IN PLACE: ${why}`);
    return false;
  }
  await state.mark("fault-reverted", Date.now(), `the fault was reverted (run ${result.run.runId})`);
  return true;
}

export async function revertAndEnd(
  aws: AwsClients,
  state: DrillState,
  faultLoaded: LoadedRunbook,
  loud: boolean,
): Promise<void> {
  const ok = await revert(aws, state, faultLoaded);
  if (!ok && loud) state.say(`drctl: THE FAULT IS STILL IN PLACE: drctl drill resume ${state.id} --execute`);
}
