/**
 * `npm run demo -- --keep`: the demo runs in a background process whose output goes to a log file
 * the terminal follows; once the demo is done, that process stays up with the world it built (the
 * emulator and the proxy that supplies what plain moto cannot do), and the terminal is given back
 * with the environment to export. `npm run demo -- --stop` ends it. The world lives in the demo's
 * process because the proxy keeps state (global-table replicas, where copies came from) in memory.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { writeFileAtomic } from "../src/util/files.js";

/** What a kept world leaves in the output folder: how to reach it and how to end it. */
export interface KeptWorld {
  pid: number;
  endpoint: string;
  /** The demo's own exit code (the worst of drctl's). */
  code: number;
  config: string;
}

/** The flag the background process is started with; never typed by a person. */
const KEPT_CHILD_FLAG = "--kept-child";

const stateFile = (outDir: string) => join(outDir, "kept-world.json");
const logFile = (outDir: string) => join(outDir, "demo.log");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `pid` is still the kept world's process, not another that took its number since (after
 * a reboot): --stop signals only that. Where /proc cannot tell (not Linux), a live pid is taken.
 */
function keptProcess(pid: number): boolean {
  if (!alive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(KEPT_CHILD_FLAG);
  } catch {
    return !existsSync("/proc/self");
  }
}

/** The kept world of `outDir`, if its process still runs (a stale file is removed). */
export function keptWorld(outDir: string): KeptWorld | undefined {
  if (!existsSync(stateFile(outDir))) return undefined;
  const kept = JSON.parse(readFileSync(stateFile(outDir), "utf8")) as KeptWorld;
  if (keptProcess(kept.pid)) return kept;
  rmSync(stateFile(outDir), { force: true });
  return undefined;
}

/** `path` relative to here when it is below here, else as it is. */
function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}

/** Called in the background process once the demo is done: says where the world is, for both sides. */
export function announceKept(outDir: string, kept: KeptWorld): void {
  const config = shortPath(kept.config);
  console.log(
    [
      "",
      `The demo world stays up (process ${kept.pid}). In another shell:`,
      `  export AWS_ENDPOINT_URL=${kept.endpoint} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1`,
      `  npx drctl --config ${config} scan`,
      `  npx drctl --config ${config} freshness`,
      `  npx drctl --config ${config} failover plan --runbook examples/warm-standby/failover.yaml`,
      "End it with: npm run demo -- --stop" +
        (outDir === join(process.cwd(), "out") ? "" : ` --out ${outDir}`),
    ].join("\n"),
  );
  writeFileAtomic(stateFile(outDir), `${JSON.stringify(kept, null, 2)}\n`, { mode: 0o644 });
}

/** `--stop`: ends the kept world of `outDir`; resolves to the exit code (0 also when none ran). */
export async function stopKept(outDir: string): Promise<number> {
  const kept = keptWorld(outDir);
  if (!kept) {
    console.log(`no kept demo world in ${outDir}: nothing to stop`);
    return 0;
  }
  process.kill(kept.pid, "SIGTERM");
  for (let waited = 0; alive(kept.pid) && waited < 30_000; waited += 100)
    await new Promise((r) => setTimeout(r, 100));
  if (alive(kept.pid)) {
    console.error(`the kept demo world (process ${kept.pid}) did not stop within 30 s`);
    return 3;
  }
  rmSync(stateFile(outDir), { force: true });
  console.log(`stopped the kept demo world (process ${kept.pid}, ${kept.endpoint})`);
  return 0;
}

/**
 * `--keep`: starts the demo in a background process writing to out/demo.log, prints that log as
 * it grows, and returns once the world is kept (the demo's exit code) or the process ended
 * without keeping it (its exit code, or 3).
 */
export async function runKept(outDir: string, argv: readonly string[]): Promise<number> {
  const running = keptWorld(outDir);
  if (running) {
    console.error(
      `a kept demo world already runs (process ${running.pid}, ${running.endpoint}): npm run demo -- --stop first`,
    );
    return 2;
  }
  const log = openSync(logFile(outDir), "w");
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      process.argv[1] ?? "demo/main.ts",
      ...argv.filter((a) => a !== "--keep"),
      KEPT_CHILD_FLAG,
    ],
    { detached: true, stdio: ["ignore", log, log] },
  );
  closeSync(log);
  let ended: number | undefined;
  child.on("exit", (code) => (ended = code ?? 3));
  child.unref();
  const follow = follower(logFile(outDir));
  for (;;) {
    follow();
    const kept = keptWorld(outDir);
    if (kept) {
      follow();
      return kept.code;
    }
    if (ended !== undefined) {
      follow();
      return ended === 0 ? 3 : ended;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Prints what was added to `file` since the last call. */
function follower(file: string): () => void {
  let offset = 0;
  return () => {
    const size = statSync(file).size;
    if (size <= offset) return;
    const fd = openSync(file, "r");
    const chunk = Buffer.alloc(size - offset);
    readSync(fd, chunk, 0, chunk.length, offset);
    closeSync(fd);
    offset = size;
    process.stdout.write(chunk);
  };
}
