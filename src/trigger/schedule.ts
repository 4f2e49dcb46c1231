/**
 * Scheduled runbooks: an EventBridge rule per schedule of drctl.yaml sends the trigger function
 * {"drctl-schedule": NAME, "time": ..., "id": ...} at each firing; the function starts that
 * schedule's runbook as an execution of the same workflow alarms start, once per firing (a
 * conditional write per schedule and time), at once (no approval gate). One run at a time per
 * application is the runbook's lock: a firing while another run holds it is not started, and the
 * schedule's topic is told.
 */
import { scheduleTopic, type DrctlConfig } from "../config/schema.js";
import { newRunbookRunId } from "../runbook/engine.js";
import type { LoadedRunbook } from "../runbook/load.js";
import { failoverInputSchema, type FailoverInput, type TriggerOutcome } from "./start.js";
import type { TriggerClaim, TriggerWindows } from "./window.js";

export const SCHEDULE_EVENT_KEY = "drctl-schedule";

export interface Firing {
  schedule: string;
  /** The firing's time, as EventBridge gives it (ISO 8601): the same on a redelivery. */
  time: string;
  id: string;
}

/** A firing of a schedule, or undefined when the event is something else (an alarm). */
export function parseFiring(event: unknown): Firing | undefined {
  if (!event || typeof event !== "object") return undefined;
  const e = event as Record<string, unknown>;
  if (typeof e[SCHEDULE_EVENT_KEY] !== "string") return undefined;
  return {
    schedule: e[SCHEDULE_EVENT_KEY],
    time: typeof e.time === "string" && e.time !== "" ? e.time : new Date().toISOString(),
    id: typeof e.id === "string" ? e.id : "",
  };
}

export interface ScheduleDeps {
  config: DrctlConfig;
  windows: TriggerWindows;
  loadRunbook(path: string, set: Record<string, string | number | boolean>): LoadedRunbook;
  startExecution(input: FailoverInput): Promise<string>;
  now(): Date;
}

/** Starts the run of one firing (once, however often it is delivered). */
export async function handleFiring(deps: ScheduleDeps, firing: Firing): Promise<TriggerOutcome> {
  const schedule = deps.config.schedules.find((s) => s.name === firing.schedule);
  const alarm = `schedule ${firing.schedule}`;
  if (!schedule)
    return { alarm, action: "ignored", detail: `no schedule ${firing.schedule} in the configuration` };
  const loaded = deps.loadRunbook(schedule.runbook, schedule.set);
  const application = loaded.runbook.application;
  const now = deps.now();
  const topic = scheduleTopic(deps.config, schedule);
  const input: FailoverInput = {
    runId: newRunbookRunId(),
    runbook: schedule.runbook,
    set: schedule.set,
    policy: "execute",
    approvalTimeoutMinutes: 60,
    ...(topic ? { notifyTopicArn: topic } : {}),
    schedule: { name: schedule.name, at: firing.time },
  };
  const claim: TriggerClaim = {
    runId: input.runId,
    alarm,
    claimedAt: now.toISOString(),
    // EventBridge retries a delivery for up to a day: a firing is taken for that long.
    until: new Date(Math.max(Date.parse(firing.time) || 0, now.getTime()) + 86_400_000).toISOString(),
    input: JSON.stringify(input),
  };
  const base = { alarm, runbook: schedule.runbook, application };
  const launch = async (run: FailoverInput) => {
    const executionArn = await deps.startExecution(run);
    await deps.windows.firingStarted(schedule.name, firing.time, run.runId, executionArn);
    return executionArn;
  };
  const got = await deps.windows.claimFiring(schedule.name, firing.time, claim, now);
  if (got.claimed) {
    const executionArn = await launch(input);
    return {
      ...base,
      action: "started",
      runId: input.runId,
      executionArn,
      detail: `${loaded.runbook.name} started for the firing at ${firing.time}`,
    };
  }
  const holder = got.holder;
  if (!holder.executionArn) {
    const executionArn = await launch(failoverInputSchema.parse(JSON.parse(holder.input)));
    return {
      ...base,
      action: "started",
      runId: holder.runId,
      executionArn,
      detail: `run ${holder.runId}, claimed for the firing at ${firing.time} at ${holder.claimedAt}, started now`,
    };
  }
  return {
    ...base,
    action: "duplicate",
    runId: holder.runId,
    executionArn: holder.executionArn,
    detail: `the firing at ${firing.time} already started run ${holder.runId}`,
  };
}
