/**
 * Triggered failover in the cloud (infra/ wires them):
 *   alarm    (subscribed to the alarm topic)   an alarm starts one run per application and window,
 *                                              as an execution of the failover workflow
 *   advance  (the workflow's loop)             runs the runbook from its journal until it ends or
 *                                              this invocation's time is up, then says where it is
 * A run never lives inside one short function: each advance resumes the run from the journal
 * (DynamoDB, shared with the laptop's drctl), so steps that wait long span many invocations.
 */
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { join } from "node:path";
import { parseArn } from "../aws/arn.js";
import { awsErrorCode } from "../aws/errors.js";
import { STEP_KINDS } from "../catalog.js";
import { DrctlError, EXIT, InputError } from "../errors.js";
import { executeRunbook, START_GATE, type RunOptions, type RunResult } from "../runbook/engine.js";
import { LeaseLostError, LockHeldError, type LockOwner, type RunRecord } from "../runbook/journal.js";
import { loadRunbook, type LoadedRunbook } from "../runbook/load.js";
import { openJournal } from "../runbook/open-journal.js";
import { Secrets } from "../runbook/secrets.js";
import { send } from "../runbook/steps/notify.js";
import { formatTimeline } from "../runbook/timeline.js";
import { handleAlarms, type FailoverInput, type TriggerOutcome } from "../trigger/start.js";
import { handleFiring, parseFiring } from "../trigger/schedule.js";
import { TriggerWindows } from "../trigger/window.js";
import type { Runtime } from "./runtime.js";

export interface AdvanceResult {
  runId: string;
  /**
   * running / awaiting-approval (a gate, or a step in doubt waiting for a person's decision): the
   * workflow waits and advances again; the others end it.
   */
  status: "running" | "awaiting-approval" | "succeeded" | "failed" | "refused";
  summary: string;
  steps: { id: string; status: string }[];
}

const runbookOf = (rt: Runtime, path: string, set: FailoverInput["set"]): LoadedRunbook =>
  loadRunbook(STEP_KINDS, rt.runbookDir ? join(rt.runbookDir, path) : path, set);

function tableOf(store: string): { table: string; region: string } {
  if (!store.startsWith("dynamodb://"))
    throw new InputError(
      `triggered runs keep their journal in DynamoDB: expected DRCTL_STORE=dynamodb://TABLE?region=R, got ${store}`,
    );
  const url = new URL(store);
  return {
    table: url.hostname || url.pathname.replace(/^\/+/, ""),
    region: url.searchParams.get("region") ?? "",
  };
}

/** Tells people through the trigger's topic; a notification that fails never stops a run. */
async function tell(
  rt: Runtime,
  topicArn: string | undefined,
  subject: string,
  message: string,
): Promise<void> {
  if (!topicArn) return;
  try {
    await send(
      {
        aws: rt.aws,
        region: parseArn(topicArn).region,
        log: () => undefined,
        signal: AbortSignal.timeout(30_000),
        secrets: new Secrets(),
        idempotencyKey: `${subject}`,
      },
      { topicArn, subject: subject.slice(0, 100), message },
    );
  } catch (err) {
    rt.log(`notification to ${topicArn} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The trigger function's handler: alarms (from the alarm topic or EventBridge) and schedules'
 * firings; which runs they start, which were duplicates or ignored.
 */
export async function alarm(
  rt: Runtime,
  event: unknown,
  now: () => Date = () => new Date(),
): Promise<{ outcomes: TriggerOutcome[]; problems: string[] }> {
  const stateMachine = rt.failoverStateMachine;
  if (!stateMachine) throw new InputError("the function's environment has no DRCTL_FAILOVER_STATE_MACHINE");
  const { table, region } = tableOf(rt.store);
  const sfn = rt.aws.get(SFNClient, parseArn(stateMachine).region);
  const windows = new TriggerWindows(rt.aws, table, region);
  const startExecution = async (input: FailoverInput) => {
    try {
      const out = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: stateMachine,
          name: input.runId,
          input: JSON.stringify(input),
        }),
      );
      return out.executionArn ?? "";
    } catch (err) {
      // Started before and already ended: the run exists; its name is its id.
      if (awsErrorCode(err) === "ExecutionAlreadyExists")
        return `${stateMachine.replace(":stateMachine:", ":execution:")}:${input.runId}`;
      throw err;
    }
  };
  // A schedule's firing (its EventBridge rule's input) starts its runbook the same way.
  const firing = parseFiring(event);
  if (firing) {
    let outcome: TriggerOutcome;
    try {
      outcome = await handleFiring(
        {
          config: rt.config,
          windows,
          loadRunbook: (path, set) => runbookOf(rt, path, set),
          startExecution,
          now,
        },
        firing,
      );
    } catch (err) {
      // A runbook that is not right stays wrong on a retry: said once; anything else is retried.
      if (!(err instanceof InputError)) throw err;
      outcome = { alarm: `schedule ${firing.schedule}`, action: "error", detail: err.message };
    }
    rt.log(
      `${outcome.alarm}: ${outcome.action}${outcome.runId ? ` ${outcome.runId}` : ""}: ${outcome.detail}`,
    );
    return { outcomes: [outcome], problems: [] };
  }
  const result = await handleAlarms(
    {
      triggers: rt.config.triggers,
      windows,
      loadRunbook: (path, set) => runbookOf(rt, path, set),
      startExecution,
      now,
    },
    event,
  );
  for (const o of result.outcomes)
    rt.log(`alarm ${o.alarm}: ${o.action}${o.runId ? ` ${o.runId}` : ""}: ${o.detail}`);
  for (const p of result.problems) rt.log(`not an alarm: ${p}`);
  return result;
}

/**
 * The owner of a triggered run's lock: the workflow execution (named by the run id), the same in
 * every turn, so the next turn goes on at once while a laptop's resume is refused. Its pid is of
 * a Lambda sandbox: never checked against another machine's processes.
 */
export function workflowOwner(runId: string): LockOwner {
  const sandbox = process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? `pid ${process.pid}`;
  return {
    token: `workflow:${runId}`,
    host: "the failover workflow",
    hostId: `lambda ${sandbox}`,
    pid: process.pid,
    by: `workflow execution ${runId}`,
  };
}

/**
 * One turn of the failover workflow: starts the run (behind an approval gate under the approve
 * policy) or resumes it, and runs until it ends or `deadline` aborts, which leaves the steps in
 * flight at a safe point for the next turn. A run whose start was not approved in time ends
 * failed, having changed nothing, and frees its application. While another process (a laptop's
 * resume) runs the same run, the turn waits.
 */
export async function advance(
  rt: Runtime,
  input: FailoverInput,
  deadline: AbortSignal,
): Promise<AdvanceResult> {
  const journal = await openJournal(rt.store, () => Promise.resolve(rt.aws));
  let loaded: LoadedRunbook;
  try {
    loaded = runbookOf(rt, input.runbook, input.set);
  } catch (err) {
    if (err instanceof DrctlError && err.exitCode === EXIT.badInput) return refusedRun(input, err.message);
    throw err;
  }
  const existing = await journal.run(input.runId);
  let result: RunResult;
  try {
    result = await executeRunbook(
      rt.aws,
      journal,
      loaded,
      turnOptions(rt, input, loaded, existing, deadline),
    );
  } catch (err) {
    // The same run, run by another process (a resume from a laptop, which may also have taken the
    // lock over from this turn): wait for it.
    if ((err instanceof LockHeldError && err.held.runId === input.runId) || err instanceof LeaseLostError)
      return { runId: input.runId, status: "running", summary: err.message, steps: [] };
    if (err instanceof LockHeldError || err instanceof InputError) {
      const name = loaded.runbook.name;
      await tell(
        rt,
        input.notifyTopicArn,
        `${name}: not started`,
        `Run ${input.runId} was not started: ${err.message}`,
      );
      return refusedRun(input, err.message);
    }
    throw err;
  }
  return turnResult(rt, input, loaded, existing, result);
}

const refusedRun = (input: FailoverInput, summary: string): AdvanceResult => ({
  runId: input.runId,
  status: "refused",
  summary,
  steps: [],
});

/** The command that approves the run's start gate, against the store the workflow uses. */
const approveCommand = (rt: Runtime, input: FailoverInput) =>
  `drctl --store '${rt.store}' runbook approve ${input.runId} ${START_GATE}`;

/** How one turn runs the run: resumed or new, until the deadline, told when an alarm started it, behind its gate. */
function turnOptions(
  rt: Runtime,
  input: FailoverInput,
  loaded: LoadedRunbook,
  existing: RunRecord | undefined,
  deadline: AbortSignal,
): RunOptions {
  const name = loaded.runbook.name;
  const alarmed = input.alarm;
  const cause = alarmed
    ? `alarm ${alarmed.name}`
    : input.schedule
      ? `schedule ${input.schedule.name} (${input.schedule.at})`
      : "a start";
  return {
    ...(existing ? { resumeRunId: input.runId } : { runId: input.runId }),
    signal: deadline,
    owner: workflowOwner(input.runId),
    ...(alarmed ? { alarmAt: alarmed.at } : {}),
    log: (line) => rt.log(line),
    // A scheduled run is told only when it fails, is not started or waits: a day's success is no news.
    onStarted: () =>
      alarmed
        ? tell(
            rt,
            input.notifyTopicArn,
            `${name}: started by alarm ${alarmed.name}`,
            [
              `Alarm ${alarmed.name} (${alarmed.at}): ${alarmed.reason}`,
              `Run ${input.runId} of ${name} (${loaded.file}) has started.`,
              input.policy === "approve"
                ? `Nothing changes until it is approved, within ${input.approvalTimeoutMinutes} minutes: ${approveCommand(rt, input)}`
                : "It runs at once (policy: execute).",
            ].join("\n"),
          )
        : Promise.resolve(),
    ...(input.policy === "approve"
      ? {
          approvalGate: {
            message: `start ${name}, triggered by ${cause}`,
            // Counted from the gate's first turn (the engine carries a step's start across turns).
            timeoutSeconds: input.approvalTimeoutMinutes * 60,
          },
        }
      : {}),
  };
}

/** Where the run stands after a turn, as the workflow reads it. */
function turnStatus({ run, steps }: RunResult): AdvanceResult["status"] {
  const gate = steps.find((s) => s.stepId === START_GATE);
  if (run.status === "waiting") return "awaiting-approval";
  if (run.status === "interrupted") return "running";
  if (run.status !== "running") return run.status;
  return gate && gate.status !== "succeeded" ? "awaiting-approval" : "running";
}

/** The turn's result, told to people when the run ended in a way they must hear of. */
async function turnResult(
  rt: Runtime,
  input: FailoverInput,
  loaded: LoadedRunbook,
  existing: RunRecord | undefined,
  result: RunResult,
): Promise<AdvanceResult> {
  const { run, steps } = result;
  const inDoubt = steps.filter((s) => s.status === "in-doubt");
  const status = turnStatus(result);
  const summary = inDoubt.length
    ? `run ${run.runId} waits for a person's decision: ${inDoubt.map((s) => `${s.stepId} ${s.error ?? "is in doubt"}`).join("; ")} (each with --store '${rt.store}')`
    : status === "awaiting-approval"
      ? `run ${run.runId} waits for approval: ${approveCommand(rt, input)}`
      : `${run.runbook} run ${run.runId}: ${status}\n${formatTimeline(run, steps, loaded.runbook.steps, loaded.runbook.rtoMinutes)}`;
  // A step in doubt is told once, when the run comes to wait on it, not at every turn it waits.
  const newlyWaiting = inDoubt.length > 0 && existing?.status !== "waiting";
  if ((status === "succeeded" && !input.schedule) || status === "failed" || newlyWaiting)
    await tell(
      rt,
      input.notifyTopicArn,
      `${loaded.runbook.name}: ${inDoubt.length ? "a step is in doubt" : status}`,
      summary,
    );
  return { runId: run.runId, status, summary, steps: steps.map((s) => ({ id: s.stepId, status: s.status })) };
}
