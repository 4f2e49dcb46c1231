import { randomBytes } from "node:crypto";
import type { AwsClients } from "../aws/client-factory.js";
import { InputError } from "../errors.js";
import { join } from "node:path";
import { drctlHome } from "../store/open.js";
import { ancestors, waves } from "./dag.js";
import { generateFailback, writeFailback } from "./failback.js";
import type { Journal, RunRecord, StepRecord } from "./journal.js";
import { loadRunbook, type LoadedRunbook } from "./load.js";
import { STEP_KINDS } from "./registry.js";
import { resolveParams, type ValueSources } from "./resolve.js";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { awsErrorCode } from "../aws/errors.js";
import type { StepSpec } from "./schema.js";
import type { StepContext, StepKind, StepPlan } from "./step.js";

export interface PlannedStep {
  id: string;
  kind: string;
  region: string;
  after: string[];
  plan: StepPlan | { error: string };
  /**
   * Set when the state could not be read but earlier steps will change things first (a replica
   * the run creates): the read is expected to work once they ran, so the plan is not in error.
   */
  readableAfter?: string[];
}

function kindOf(step: StepSpec, file: string): StepKind<unknown> {
  const kind = STEP_KINDS.get(step.kind);
  if (!kind)
    throw new InputError(
      `${file}: step "${step.id}": unknown kind "${step.kind}" (known: ${[...STEP_KINDS.keys()].sort().join(", ")})`,
    );
  return kind;
}

async function paramsOf(
  step: StepSpec,
  kind: StepKind<unknown>,
  loaded: LoadedRunbook,
  ctx: StepContext,
  outputs: (id: string) => Record<string, string> | undefined,
): Promise<unknown> {
  const file = loaded.file;
  const sources: ValueSources = {
    outputs,
    config: loaded.runbook.config,
    ssm: async (name) => {
      try {
        const out = await ctx.aws
          .get(SSMClient, ctx.region)
          .send(new GetParameterCommand({ Name: name, WithDecryption: true }));
        return out.Parameter?.Value;
      } catch (err) {
        if (awsErrorCode(err) === "ParameterNotFound") return undefined;
        throw err;
      }
    },
  };
  const resolved = await resolveParams(step.params, sources, `${file}: step "${step.id}"`);
  const parsed = kind.params.safeParse(resolved);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `${file}: step "${step.id}" (${step.kind}): params.${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

/** Before a run, outputs of earlier steps are not known: plans show where they will come from. */
const placeholder = (id: string) =>
  new Proxy(
    {},
    { get: (_t, key) => (typeof key === "string" ? `<${key} from ${id}>` : undefined) },
  ) as Record<string, string>;

/** The dry run: every step's current -> target state, read from the live state, nothing changed. */
export async function planRunbook(aws: AwsClients, loaded: LoadedRunbook): Promise<PlannedStep[]> {
  const { runbook, file } = loaded;
  const planned: PlannedStep[] = [];
  for (const wave of waves(runbook.steps)) {
    await Promise.all(
      wave.map(async (step) => {
        const kind = kindOf(step, file);
        const region = step.region ?? runbook.region;
        const ctx: StepContext = {
          aws,
          region,
          log: () => undefined,
          signal: AbortSignal.timeout(step.timeoutSeconds * 1000),
        };
        let plan: PlannedStep["plan"];
        try {
          plan = await kind.plan(ctx, await paramsOf(step, kind, loaded, ctx, placeholder));
        } catch (err) {
          if (err instanceof InputError) throw err;
          plan = { error: err instanceof Error ? err.message : String(err) };
        }
        const changing =
          "error" in plan
            ? ancestors(runbook.steps, step.id).filter((id) => {
                const p = planned.find((x) => x.id === id)?.plan;
                return p !== undefined && ("error" in p || p.changes);
              })
            : [];
        planned.push({
          id: step.id,
          kind: step.kind,
          region,
          after: step.after,
          plan,
          ...(changing.length ? { readableAfter: changing } : {}),
        });
      }),
    );
  }
  const order = runbook.steps.map((s) => s.id);
  return planned.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}

/** The id of the approval gate a run may start at: nothing changes until it is approved. */
export const START_GATE = "approve-start";

export interface ApprovalGate {
  /** What the approver is asked (shown in the log and the journal). */
  message: string;
  /** How long to wait for the approval, counted from when the gate first started (default 24 h). */
  timeoutSeconds?: number;
}

/** `steps` behind `gate`: every step without dependencies runs after it. */
export function behindGate<S extends Pick<StepSpec, "id" | "after">>(steps: readonly S[], gate: S): S[] {
  return [gate, ...steps.map((s) => (s.after.length ? s : { ...s, after: [gate.id] }))];
}

/**
 * The steps of a run: the runbook's, behind the start gate when the run has one. Whether a run
 * has the gate is read from its journal, so a resumed run keeps it without the runbook changing.
 */
export function runSteps(
  steps: readonly StepSpec[],
  gated: boolean,
  gate: ApprovalGate = { message: "approve the start of this run" },
): StepSpec[] {
  if (!gated) return [...steps];
  return behindGate(steps, {
    id: START_GATE,
    kind: "approval",
    // A message is shown, never resolved: "${" from an alarm's text stays literal.
    params: { message: gate.message.replaceAll("${", "$ {") },
    after: [],
    timeoutSeconds: Math.max(0.001, gate.timeoutSeconds ?? 24 * 3600),
    retries: 0,
    onFailure: "stop",
  });
}

export interface RunOptions {
  /** Resume this run instead of starting a new one. */
  resumeRunId?: string | undefined;
  log?: (line: string) => void;
  onStep?: (stepId: string, status: string, detail?: string) => void;
  /** The run this one undoes (a failback): it may take over that run's lock. */
  undoes?: string;
  /** Where a rollback's generated runbook is written (default ~/.drctl/runbooks). */
  runbookDir?: string;
  /** The id of a new run (default: generated). */
  runId?: string | undefined;
  /** The run's deadline: aborting it leaves the run resumable rather than failed. */
  signal?: AbortSignal;
  /**
   * Start a new run at an approval gate (step START_GATE): nothing runs until an operator
   * approves. A resumed run has the gate if it began with one; this then only sets its message
   * and how long it waits.
   */
  approvalGate?: ApprovalGate;
  /** Called once a new run holds its lock and is journaled, before any step (to tell people). */
  onStarted?: (runId: string) => Promise<void>;
}

export interface RunResult {
  run: RunRecord;
  steps: StepRecord[];
  /** The rollback run, when a step with onFailure: rollback failed. */
  rollback?: RunResult;
}

export function newRunbookRunId(): string {
  return `run-${new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${randomBytes(2).toString("hex")}`;
}

/**
 * Executes the runbook: waves of independent steps in parallel, each step journaled before and
 * after, with its retries and timeout. A failed step stops the run (or, with onFailure: continue,
 * only its dependents; with rollback, the run's changes are undone); whatever did not run stays
 * pending, so `resume` goes on from there. When options.signal aborts (a Lambda running out of
 * time), the steps in flight go back to pending and the run stays "running" with its lock, for
 * the next invocation to resume.
 */
export async function executeRunbook(
  aws: AwsClients,
  journal: Journal,
  loaded: LoadedRunbook,
  options: RunOptions = {},
): Promise<RunResult> {
  const { runbook, file, hash } = loaded;
  const log = options.log ?? (() => undefined);
  const runId = options.resumeRunId ?? options.runId ?? newRunbookRunId();
  // Validate every step before anything changes.
  for (const step of runbook.steps) kindOf(step, file);
  if (options.approvalGate && runbook.steps.some((s) => s.id === START_GATE))
    throw new InputError(
      `${file}: a step is named "${START_GATE}", the id of the run's approval gate; rename it`,
    );
  if (options.resumeRunId) {
    const previous = await journal.run(runId);
    if (!previous) throw new InputError(`no run ${runId} in the ${journal.description}`);
    if (previous.hash !== hash) {
      throw new InputError(
        `the runbook ${file} changed since run ${runId} began (sha256 ${previous.hash.slice(0, 12)} then, ${hash.slice(0, 12)} now); resuming it would mix two plans. Restore the file, or start a new run`,
      );
    }
  }
  await journal.lock(runbook.application, runId, options.undoes);
  if (!options.resumeRunId)
    await journal.startRun(
      {
        runId,
        runbook: runbook.name,
        file,
        application: runbook.application,
        hash,
        startedAt: new Date().toISOString(),
      },
      [...(options.approvalGate ? [START_GATE] : []), ...runbook.steps.map((s) => s.id)],
    );
  if (!options.resumeRunId) await options.onStarted?.(runId);

  const records = new Map((await journal.steps(runId)).map((r) => [r.stepId, r]));
  const steps = runSteps(runbook.steps, records.has(START_GATE), options.approvalGate);
  const outputs = (id: string) =>
    records.get(id)?.status === "succeeded" ? records.get(id)?.outputs : undefined;
  const deadline = options.signal;
  let stopped = false;
  for (const wave of waves(steps)) {
    if (stopped || deadline?.aborted) break;
    await Promise.all(
      wave.map(async (step) => {
        if (records.get(step.id)?.status === "succeeded") {
          options.onStep?.(step.id, "succeeded", "done in an earlier attempt of this run");
          return;
        }
        const blocked = step.after.filter((d) => records.get(d)?.status !== "succeeded");
        if (blocked.length > 0) {
          await journal.stepFinished(runId, step.id, {
            status: "skipped",
            error: `not run: ${blocked.join(", ")} did not succeed`,
          });
          records.set(step.id, { ...(records.get(step.id) as StepRecord), status: "skipped" });
          options.onStep?.(step.id, "skipped");
          return;
        }
        const kind = kindOf(step, file);
        const region = step.region ?? runbook.region;
        let lastError = "";
        for (let attempt = 0; attempt <= step.retries; attempt++) {
          // An attempt the run's deadline interrupted goes on: its wait and timeout count from its start.
          const before = records.get(step.id);
          const continuing = attempt === 0 && before?.status === "pending" && before.startedAt !== null;
          const startedAt = continuing && before.startedAt ? Date.parse(before.startedAt) : Date.now();
          const timeout = AbortSignal.timeout(
            Math.max(1, step.timeoutSeconds * 1000 - (Date.now() - startedAt)),
          );
          const ctx: StepContext = {
            aws,
            region,
            log: (l) => log(`[${step.id}] ${l}`),
            signal: deadline ? AbortSignal.any([timeout, deadline]) : timeout,
            startedAt,
            approval: () => journal.approval(runId, step.id),
            approveHint: `drctl runbook approve ${runId} ${step.id}`,
          };
          try {
            // Journaled before anything is read, so every attempt is on record, even one that fails early.
            await journal.stepStarted(runId, step.id, "(reading the current state)", continuing);
            options.onStep?.(step.id, "running");
            const params = await paramsOf(step, kind, loaded, ctx, outputs);
            const plan = await kind.plan(ctx, params);
            await journal.stepPlanned(
              runId,
              step.id,
              `${plan.current} -> ${plan.target}`,
              kind.redact ? kind.redact(params) : params,
            );
            options.onStep?.(step.id, "running", `${plan.current} -> ${plan.target}`);
            const out = await kind.execute(ctx, params);
            await journal.stepFinished(runId, step.id, { status: "succeeded", outputs: out });
            records.set(step.id, {
              ...(records.get(step.id) as StepRecord),
              status: "succeeded",
              outputs: out,
            });
            options.onStep?.(step.id, "succeeded");
            return;
          } catch (err) {
            lastError = err instanceof Error ? err.message : String(err);
            if (deadline?.aborted) {
              await journal.stepFinished(runId, step.id, {
                status: "pending",
                error: "interrupted by the run's deadline; the next invocation resumes it",
              });
              records.set(step.id, { ...(records.get(step.id) as StepRecord), status: "pending" });
              options.onStep?.(step.id, "pending", "interrupted; resumes");
              return;
            }
            if (err instanceof InputError) break;
            log(`[${step.id}] attempt ${attempt + 1} failed: ${lastError}`);
          }
        }
        await journal.stepFinished(runId, step.id, { status: "failed", error: lastError });
        records.set(step.id, { ...(records.get(step.id) as StepRecord), status: "failed", error: lastError });
        options.onStep?.(step.id, "failed", lastError);
        if (step.onFailure !== "continue") stopped = true;
      }),
    );
  }
  const final = await journal.steps(runId);
  if (deadline?.aborted && !final.some((s) => s.status === "failed"))
    return { run: (await journal.run(runId)) as RunRecord, steps: final };
  const succeeded = final.every((s) => s.status === "succeeded");
  await journal.finishRun(runId, succeeded ? "succeeded" : "failed");
  // A failed run keeps the lock: nothing else may move this application until it is resumed.
  // Unless nothing was even tried (its start was not approved): then nothing changed either.
  const untouched = final.every((s) => s.stepId === START_GATE || s.attempts === 0);
  if (succeeded || untouched) await journal.unlock(runbook.application, runId);
  const result = { run: (await journal.run(runId)) as RunRecord, steps: final };
  const rollback = runbook.steps.find(
    (s) => s.onFailure === "rollback" && final.find((r) => r.stepId === s.id)?.status === "failed",
  );
  if (!rollback || !final.some((s) => s.status === "succeeded" && s.stepId !== START_GATE)) return result;
  log(`${rollback.id} failed and says onFailure: rollback; undoing what this run changed`);
  const undo = generateFailback(loaded, result.run, final);
  const undoFile = writeFailback(options.runbookDir ?? join(drctlHome(), "runbooks"), result.run, undo);
  const undone = await executeRunbook(aws, journal, loadRunbook(undoFile), {
    ...options,
    resumeRunId: undefined,
    runId: undefined,
    approvalGate: undefined,
    onStarted: undefined,
    undoes: runId,
  });
  return { ...result, rollback: undone };
}
