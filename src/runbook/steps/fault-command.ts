import { spawn } from "node:child_process";
import { z } from "zod";
import { sh } from "../manual.js";
import type { StepContext, StepKind } from "../step.js";
import { injected, injectedAtOf } from "./fault.js";

const seconds = z.number().positive().max(3600);

/** Runs `command` with sh; resolves to its exit code (the last lines of its output go to the log). */
export function runCommand(
  ctx: StepContext,
  command: string,
  timeoutSeconds: number,
  env: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", command], {
      env: { ...process.env, DRCTL_STEP: ctx.idempotencyKey, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutSeconds * 1000)]),
    });
    let tail = "";
    const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-400));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (err) => reject(new Error(`could not run the command: ${err.message}`)));
    child.on("close", (code) => {
      const last = tail.trim().split("\n").at(-1);
      if (code !== 0 && last) ctx.log(`command exited ${code}: ${last}`);
      resolve(code ?? 1);
    });
  });
}

const params = z.strictObject({
  /** Injects the fault (sh -c); exit 0 is success. */
  run: z.string().min(1),
  /** Removes it: the undo. */
  revert: z.string().min(1),
  /** Exits 0 while the fault is in place: how a step in doubt is told (without it, a person tells). */
  check: z.string().min(1).optional(),
  timeoutSeconds: seconds.default(300),
});
type Params = z.infer<typeof params>;

async function mustRun(ctx: StepContext, command: string, timeout: number): Promise<void> {
  const code = await runCommand(ctx, command, timeout);
  if (code !== 0) throw new Error(`the command exited ${code}`);
}

/** A fault drctl cannot make itself: a command that injects it and one that reverts it. */
export const faultCommandStep: StepKind<Params, undefined> = {
  kind: "fault.command",
  description: "fault: runs a command that injects it (and, as its undo, one that reverts it)",
  permissions: [],
  params,
  outputs: ["injectedAt"],
  idempotent: false,
  reconciles:
    "with check: done when the check exits 0, otherwise a person decides (a command may not be safe to repeat); without it, a person decides",
  read: () => Promise.resolve(undefined),
  // The runbook's own command, run as drctl runs it.
  manual: (p) => [`sh -c ${sh(p.run)}`],
  plan: (_ctx, p) => ({ current: "(not read: a command)", target: `run: ${p.run}`, changes: true }),
  async apply(ctx, p) {
    const at = injected();
    await mustRun(ctx, p.run, p.timeoutSeconds);
    return at;
  },
  settle: (_ctx, _p, _b, applied) => Promise.resolve(injectedAtOf(applied)),
  async reconcile(ctx, p) {
    if (!p.check) return { decision: "ask", detail: "drctl cannot tell whether the command ran" };
    const code = await runCommand(ctx, p.check, p.timeoutSeconds);
    return code === 0
      ? { decision: "done", detail: "the check says the fault is in place" }
      : { decision: "redo", detail: `the check exited ${code}: the fault is not in place` };
  },
  inverse: (p) => [{ kind: "command", params: { run: p.revert, ...(p.check ? { notCheck: p.check } : {}) } }],
};

const commandParams = z.strictObject({
  run: z.string().min(1),
  /** Exits 0 while what `run` undoes is still there: a step in doubt is redone when it does. */
  notCheck: z.string().min(1).optional(),
  timeoutSeconds: seconds.default(300),
});

/** Runs a command (the undo of fault.command). */
export const commandStep: StepKind<z.infer<typeof commandParams>, undefined> = {
  kind: "command",
  description: "runs a command (sh -c; exit 0 is success), such as the revert of fault.command",
  permissions: [],
  params: commandParams,
  outputs: [],
  idempotent: false,
  reconciles:
    "with notCheck: done when it exits non-zero (nothing left to undo), otherwise a person decides; without it, a person decides",
  read: () => Promise.resolve(undefined),
  // The runbook's own command, run as drctl runs it.
  manual: (p) => [`sh -c ${sh(p.run)}`],
  plan: (_ctx, p) => ({ current: "(not read: a command)", target: `run: ${p.run}`, changes: true }),
  async apply(ctx, p) {
    await mustRun(ctx, p.run, p.timeoutSeconds);
    return {};
  },
  settle: () => Promise.resolve({}),
  async reconcile(ctx, p) {
    if (!p.notCheck) return { decision: "ask", detail: "drctl cannot tell whether the command ran" };
    const code = await runCommand(ctx, p.notCheck, p.timeoutSeconds);
    return code !== 0
      ? { decision: "done", detail: "the check says there is nothing left to undo" }
      : {
          decision: "ask",
          detail: "the check says the fault is still in place; the command may or may not have run",
        };
  },
  inverse: () => undefined,
};
