/**
 * npm run bench:cli [-- --runs 7]
 * How fast the compiled drctl starts, as users run it (node dist/src/cli/main.js): the median wall
 * time and peak RSS of `drctl --version` and `drctl --help`, and of a scan from process start to
 * its first AWS call (a local HTTP endpoint notes the moment the first request arrives, answers it
 * with an error and the process is stopped). Asserts nothing.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
const { values } = parseArgs({ options: { runs: { type: "string", default: "7" } } });
const runs = Number(values.runs);
const CLI = "dist/src/cli/main.js";
const PRELOAD = new URL("./peak-rss.mjs", import.meta.url).pathname;

interface Sample {
  ms: number;
  rssMiB: number;
}

/** Runs drctl once; `firstCall` resolves when the endpoint sees its first request (then it is killed). */
async function once(args: string[], endpoint?: { url: string; firstCall: Promise<number> }): Promise<Sample> {
  const rssFile = join(mkdtempSync(join(tmpdir(), "drctl-bench-cli-")), "rss");
  const start = performance.now();
  const child = spawn(process.execPath, ["--import", PRELOAD, CLI, ...args], {
    stdio: "ignore",
    env: {
      ...process.env,
      DRCTL_BENCH_RSS_FILE: rssFile,
      DRCTL_HOME: join(tmpdir(), "drctl-bench-cli-home"),
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      ...(endpoint ? { AWS_ENDPOINT_URL: endpoint.url } : {}),
    },
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  let ms: number;
  if (endpoint) {
    ms = (await endpoint.firstCall) - start;
    child.kill("SIGTERM");
  }
  await exited;
  ms ??= performance.now() - start;
  return { ms, rssMiB: Number(readFileSync(rssFile, "utf8")) / 1024 };
}

/** A local endpoint that notes when its first request arrives and answers every one with a 500. */
async function endpoint(): Promise<{ url: string; firstCall: () => Promise<number>; close: () => void }> {
  let notify: (at: number) => void = () => {};
  const server = createServer((req, res) => {
    notify(performance.now());
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    firstCall: () => new Promise<number>((resolve) => (notify = resolve)),
    close: () => server.close(),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function measure(label: string, sample: () => Promise<Sample>): Promise<void> {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await sample());
  const ms = median(samples.map((s) => s.ms));
  const rss = median(samples.map((s) => s.rssMiB));
  console.log(
    `${label.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms  ${rss.toFixed(0).padStart(4)} MiB peak RSS`,
  );
}

console.log(`median of ${runs} runs each, node ${process.version}`);
await measure("drctl --version", () => once(["--version"]));
await measure("drctl --help", () => once(["--help"]));
const server = await endpoint();
await measure("drctl scan: start to first AWS call", () =>
  once(["--region", "eu-west-1", "scan", "--no-store"], { url: server.url, firstCall: server.firstCall() }),
);
server.close();
