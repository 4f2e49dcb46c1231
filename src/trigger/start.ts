import { z } from "zod";
import type { DrctlConfig } from "../config/schema.js";
import { DrctlError, InputError } from "../errors.js";
import { newRunbookRunId } from "../runbook/engine.js";
import type { LoadedRunbook } from "../runbook/load.js";
import { glob } from "../util/glob.js";
import { parseAlarmEvent, type AlarmChange } from "./alarm-event.js";
import type { TriggerClaim, TriggerWindows } from "./window.js";

type Trigger = DrctlConfig["triggers"][number];

/**
 * What a triggered run is started with: the state machine passes it to every advance (with the
 * last advance's result beside it, which this schema leaves out).
 */
export const failoverInputSchema = z.object({
  runId: z
    .string()
    .regex(/^run-[0-9A-Za-z-]+$/, { message: "expected a run id such as run-20261122T101500Z-3fa2" }),
  /** The runbook's path relative to the config (inside the deployment's bundle). */
  runbook: z.string().min(1),
  set: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  policy: z.enum(["execute", "approve"]),
  approvalTimeoutMinutes: z.number().positive(),
  notifyTopicArn: z.string().optional(),
  /** What started it: an alarm, or a schedule's firing. */
  alarm: z.object({ name: z.string(), reason: z.string(), at: z.string() }).optional(),
  schedule: z.object({ name: z.string(), at: z.string() }).optional(),
});
export type FailoverInput = z.infer<typeof failoverInputSchema>;

export interface TriggerOutcome {
  alarm: string;
  action: "started" | "duplicate" | "ignored" | "error";
  runbook?: string;
  application?: string;
  runId?: string;
  executionArn?: string;
  detail: string;
}

export interface TriggerDeps {
  triggers: Trigger[];
  windows: TriggerWindows;
  /** Reads a trigger's runbook (the path as configured) with its values. */
  loadRunbook(path: string, set: Record<string, string | number | boolean>): LoadedRunbook;
  /** Starts the long-running execution of a run; the same input again is the same execution. */
  startExecution(input: FailoverInput): Promise<string>;
  now(): Date;
}

/**
 * Turns alarm notifications into failover runs: an alarm in ALARM state that a trigger names
 * starts that trigger's runbook, once per application and window; the run itself goes on in a
 * Step Functions execution, never inside this short function. Alarms back to OK, alarms no
 * trigger names and records that are not alarms are reported, not acted on. A failed AWS call
 * throws after every alarm was tried, so the delivery is retried; a retry finds the window
 * claimed and starts the claimed run if it had not started.
 */
export async function handleAlarms(
  deps: TriggerDeps,
  event: unknown,
): Promise<{ outcomes: TriggerOutcome[]; problems: string[] }> {
  const { changes, problems } = parseAlarmEvent(event);
  const outcomes: TriggerOutcome[] = [];
  let retryable: unknown;
  for (const change of changes) {
    if (change.state !== "ALARM") {
      outcomes.push({
        alarm: change.name,
        action: "ignored",
        detail: `state ${change.state}: only ALARM starts a run`,
      });
      continue;
    }
    const matching = deps.triggers.filter((t) => t.alarms.some((p) => glob(p).test(change.name)));
    if (matching.length === 0)
      outcomes.push({
        alarm: change.name,
        action: "ignored",
        detail: "no trigger in the configuration names this alarm",
      });
    for (const trigger of matching) {
      try {
        outcomes.push(await startFor(deps, trigger, change));
      } catch (err) {
        if (!(err instanceof InputError)) retryable ??= err;
        outcomes.push({
          alarm: change.name,
          runbook: trigger.runbook,
          action: "error",
          detail: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }
  if (retryable)
    throw new DrctlError(
      `could not start every triggered run: ${outcomes
        .filter((o) => o.action === "error")
        .map((o) => `${o.alarm} -> ${o.runbook ?? "?"}: ${o.detail}`)
        .join("; ")}`,
      { cause: retryable },
    );
  return { outcomes, problems };
}

async function startFor(deps: TriggerDeps, trigger: Trigger, change: AlarmChange): Promise<TriggerOutcome> {
  const loaded = deps.loadRunbook(trigger.runbook, trigger.set);
  const application = loaded.runbook.application;
  const now = deps.now();
  const input: FailoverInput = {
    runId: newRunbookRunId(),
    runbook: trigger.runbook,
    set: trigger.set,
    policy: trigger.policy,
    approvalTimeoutMinutes: trigger.approvalTimeoutMinutes,
    ...(trigger.notifyTopicArn ? { notifyTopicArn: trigger.notifyTopicArn } : {}),
    alarm: { name: change.name, reason: change.reason, at: change.at },
  };
  const claim: TriggerClaim = {
    runId: input.runId,
    alarm: change.name,
    claimedAt: now.toISOString(),
    until: new Date(now.getTime() + trigger.windowMinutes * 60_000).toISOString(),
    input: JSON.stringify(input),
  };
  const base = { alarm: change.name, runbook: trigger.runbook, application };
  /** Starts the execution of a claimed run and records it on the window. */
  const launch = async (run: FailoverInput) => {
    const executionArn = await deps.startExecution(run);
    await deps.windows.started(application, run.runId, executionArn);
    return executionArn;
  };
  const got = await deps.windows.claim(application, claim, now);
  if (got.claimed) {
    const executionArn = await launch(input);
    return {
      ...base,
      action: "started",
      runId: input.runId,
      executionArn,
      detail: `${loaded.runbook.name} started (${trigger.policy === "approve" ? "waits for approval" : "runs at once"})`,
    };
  }
  const holder = got.holder;
  if (!holder.executionArn) {
    // The claim was made but its run never started (the function stopped in between): start it now.
    const executionArn = await launch(failoverInputSchema.parse(JSON.parse(holder.input)));
    return {
      ...base,
      action: "started",
      runId: holder.runId,
      executionArn,
      detail: `run ${holder.runId}, claimed by alarm ${holder.alarm} at ${holder.claimedAt}, started now`,
    };
  }
  return {
    ...base,
    action: "duplicate",
    runId: holder.runId,
    executionArn: holder.executionArn,
    detail: `run ${holder.runId} was started for ${application} by alarm ${holder.alarm} at ${holder.claimedAt}; alarms until ${holder.until} start no other run`,
  };
}
