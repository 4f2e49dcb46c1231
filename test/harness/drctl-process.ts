import { spawn, type ChildProcess } from "node:child_process";

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * drctl in its own process, as an operator runs it, so it can be killed or signalled; async, so
 * an in-process proxy in front of the emulator keeps serving it. `drctl` is node's arguments
 * before drctl's (test/harness/cli-bundle.ts).
 */
export function drctlProcess(
  drctl: string[],
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; exited: Promise<Exited>; output: () => { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [...drctl, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exited>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** Polls `check` until it returns a value (a condition, never a duration). */
export async function until<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  limitMs = 60_000,
): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
