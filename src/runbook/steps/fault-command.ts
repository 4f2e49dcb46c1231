import { spawn } from "node:child_process";
import { z } from "zod";
import { sh } from "../manual.js";
import type { StepContext, StepKind } from "../step.js";
import { injected, injectedAtOf } from "./fault.js";
import { durationField } from "../../util/duration.js";

const seconds = durationField({ positive: true, max: 3600 });

/** Names a process gets from drctl itself: a step's env: cannot set them. */
const RESERVED_ENV = ["DRCTL_STEP"];
const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/**
 * A command: a shell script (a string, run with sh -c), or a program and its arguments (a list,
 * run without a shell). A script holds no ${...} reference (refused when the runbook is loaded):
 * values reach it through env:, as "$NAME".
 */
const command = z.union([
  z.string().min(1),
  z
    .array(scalar)
    .min(1)
    .refine((argv) => (argv[0] ?? "") !== "", "expected the program to run first, then its arguments"),
]);
export type Command = z.infer<typeof command>;

/** Environment variables for the commands: values may be references, SecureStrings included. */
const env = z
  .record(
    z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
        message: "expected an environment variable name (letters, digits, _)",
      })
      .refine((n) => !RESERVED_ENV.includes(n), { message: `${RESERVED_ENV.join(", ")} is set by drctl` }),
    scalar,
  )
  .default({});

/** A command as the plan shows it: a script as written, a list quoted for a shell. */
export function showCommand(c: Command, vars: Record<string, string> = {}): string {
  const shown = typeof c === "string" ? c : c.map((a) => sh(a)).join(" ");
  const names = Object.keys(vars);
  return names.length ? `${shown} (env: ${names.join(", ")})` : shown;
}

/**
 * A command as a person runs it by hand: `NAME=value ... sh -c 'script'` (or the program). The
 * values are shell assignments before the command, never arguments of a process (a SecureString
 * in argv is visible in /proc); names are checked identifiers, so only the values need quoting.
 */
export function manualCommand(c: unknown, vars: unknown): string {
  const assigned = Object.entries((vars as Record<string, unknown> | undefined) ?? {}).map(
    ([k, v]) => `${k}=${sh(v)}`,
  );
  const argv = typeof c === "string" ? ["sh", "-c", c] : Array.isArray(c) ? (c as unknown[]) : [c];
  return [...assigned, ...argv.map((a) => sh(a))].join(" ");
}

/**
 * Runs `command` (a script with sh -c, or a program with its arguments, no shell) with `env`
 * added to drctl's environment; resolves to its exit code (the last lines of its output go to
 * the log).
 */
export function runCommand(
  ctx: StepContext,
  command: Command,
  timeoutSeconds: number,
  env: Record<string, string> = {},
): Promise<number> {
  const [program, args] =
    typeof command === "string" ? ["sh", ["-c", command]] : [command[0] ?? "", command.slice(1)];
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      env: { ...process.env, ...env, DRCTL_STEP: ctx.idempotencyKey },
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
  /** Injects the fault; exit 0 is success. */
  run: command.describe(
    "The command that injects the fault (exit 0 is success): a shell script (run with sh -c, no references in it) or a list, a program and its arguments.",
  ),
  /** Removes it: the undo. */
  revert: command.describe("The command that removes the fault: the step's undo (same forms as run)."),
  /** Exits 0 while the fault is in place: how a step in doubt is told (without it, a person tells). */
  check: command
    .optional()
    .describe(
      "A command that exits 0 while the fault is in place: how a step in doubt is decided (without it, a person decides).",
    ),
  /** Environment variables of run, revert and check (and of the undo). */
  env: env.describe(
    "Environment variables of run, revert and check (and of the undo): NAME -> value; values may be references, SecureStrings included.",
  ),
  timeoutSeconds: seconds
    .default(300)
    .describe("How long each command may run: a duration or a number of seconds; at most 1h."),
});
type Params = z.infer<typeof params>;

async function mustRun(
  ctx: StepContext,
  command: Command,
  timeout: number,
  vars: Record<string, string>,
): Promise<void> {
  const code = await runCommand(ctx, command, timeout, vars);
  if (code !== 0) throw new Error(`the command exited ${code}`);
}

/** A fault drctl cannot make itself: a command that injects it and one that reverts it. */
export const faultCommandStep: StepKind<Params, undefined> = {
  kind: "fault.command",
  example: {
    run: ["./chaos.sh", "block", "--port", "5432"],
    revert: ["./chaos.sh", "unblock", "--port", "5432"],
    check: "./chaos.sh status | grep -q blocked",
    env: { TARGET: "orders.primary.example.internal" },
    timeoutSeconds: "2m",
  },
  description:
    "fault: runs a command that injects it (and, as its undo, one that reverts it): a shell script (sh -c) without references, or a program and its arguments; values reach a script as environment variables (env:)",
  permissions: [],
  params,
  outputs: ["injectedAt"],
  commands: ["run", "revert", "check"],
  idempotent: false,
  reconciles:
    "with check: done when the check exits 0, otherwise a person decides (a command may not be safe to repeat); without it, a person decides",
  read: () => Promise.resolve(undefined),
  // The runbook's own command, run as drctl runs it (its env: as env's arguments, quoted).
  manual: (p) => [manualCommand(p.run, p.env)],
  plan: (_ctx, p) => ({
    current: "(not read: a command)",
    target: `run: ${showCommand(p.run, p.env)}`,
    changes: true,
  }),
  async apply(ctx, p) {
    const at = injected();
    await mustRun(ctx, p.run, p.timeoutSeconds, p.env);
    return at;
  },
  settle: (_ctx, _p, _b, applied) => Promise.resolve(injectedAtOf(applied)),
  async reconcile(ctx, p) {
    if (!p.check) return { decision: "ask", detail: "drctl cannot tell whether the command ran" };
    const code = await runCommand(ctx, p.check, p.timeoutSeconds, p.env);
    return code === 0
      ? { decision: "done", detail: "the check says the fault is in place" }
      : { decision: "redo", detail: `the check exited ${code}: the fault is not in place` };
  },
  inverse: (p) => [
    {
      kind: "command",
      params: {
        run: p.revert,
        ...(p.check ? { notCheck: p.check } : {}),
        ...(Object.keys(p.env).length ? { env: p.env } : {}),
      },
    },
  ],
};

const commandParams = z.strictObject({
  run: command.describe(
    "The command to run (exit 0 is success): a shell script (run with sh -c, no references in it) or a list, a program and its arguments.",
  ),
  /** Exits 0 while what `run` undoes is still there: a step in doubt is redone when it does. */
  notCheck: command
    .optional()
    .describe(
      "A command that exits 0 while what run undoes is still there: a step in doubt is redone when it does.",
    ),
  env: env.describe(
    "Environment variables of run and notCheck: NAME -> value; values may be references, SecureStrings included.",
  ),
  timeoutSeconds: seconds
    .default(300)
    .describe("How long each command may run: a duration or a number of seconds; at most 1h."),
});

/** Runs a command (the undo of fault.command). */
export const commandStep: StepKind<z.infer<typeof commandParams>, undefined> = {
  kind: "command",
  example: { run: ["./chaos.sh", "unblock", "--port", "5432"], timeoutSeconds: "1m" },
  description:
    "runs a command (exit 0 is success), such as the revert of fault.command: a shell script (sh -c) without references, or a program and its arguments; values reach a script as environment variables (env:)",
  permissions: [],
  params: commandParams,
  outputs: [],
  commands: ["run", "notCheck"],
  idempotent: false,
  reconciles:
    "with notCheck: done when it exits non-zero (nothing left to undo), otherwise a person decides; without it, a person decides",
  read: () => Promise.resolve(undefined),
  // The runbook's own command, run as drctl runs it (its env: as env's arguments, quoted).
  manual: (p) => [manualCommand(p.run, p.env)],
  plan: (_ctx, p) => ({
    current: "(not read: a command)",
    target: `run: ${showCommand(p.run, p.env)}`,
    changes: true,
  }),
  async apply(ctx, p) {
    await mustRun(ctx, p.run, p.timeoutSeconds, p.env);
    return {};
  },
  settle: () => Promise.resolve({}),
  async reconcile(ctx, p) {
    if (!p.notCheck) return { decision: "ask", detail: "drctl cannot tell whether the command ran" };
    const code = await runCommand(ctx, p.notCheck, p.timeoutSeconds, p.env);
    return code !== 0
      ? { decision: "done", detail: "the check says there is nothing left to undo" }
      : {
          decision: "ask",
          detail: "the check says the fault is still in place; the command may or may not have run",
        };
  },
  inverse: () => undefined,
};
