/**
 * npm run bench:scan -- --pairs 50 --pairs 200 --pairs 1000 [--limits off|aws|both]
 * For each N: builds an N-pair world in a fresh emulator, scans it in a separate process running
 * the compiled drctl (with no client-side rate limits, as against an emulator; with AWS's published
 * limits, as against AWS; or both, one after the other on the same world), and prints pairs per
 * second, AWS calls per load balancer per side by operation, the scanning process's peak RSS and
 * what its heap holds after a full collection at the end. The emulator has no rate limits; the
 * time the same calls would take at AWS's ELBv2 limit (10 calls/s per account and region, the
 * binding one; the primary and standby regions have a bucket each, and each side makes half the
 * calls) is printed beside it. Asserts nothing.
 * --incremental: then 1% of the pairs changed, and an incremental scan against a full one
 * (bench/scan-incremental.ts), ending with the line "incremental: N calls per unchanged pair, ...".
 */
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { Emulator } from "../demo/emulator.js";
import { buildWorld } from "../demo/world/build.js";
import { AwsClients } from "../src/aws/client-factory.js";
import { benchIncremental } from "./scan-incremental.js";

// The scan runs from dist/, as users run it: build first so the figures are of this source.
execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { values } = parseArgs({
  options: {
    pairs: { type: "string", multiple: true, default: ["50", "200", "1000"] },
    limits: { type: "string", default: "off" },
    incremental: { type: "boolean", default: false },
  },
});
const limitRuns = values.limits === "both" ? ["off", "aws"] : [values.limits];
if (!limitRuns.every((l) => l === "off" || l === "aws")) {
  console.error(`--limits ${values.limits}: expected off, aws or both`);
  process.exit(2);
}

interface Figures {
  pairs: number;
  durationMs: number;
  calls: Record<string, number>;
  findings: number;
  peakRss: number;
  heapAfterGc: number;
}

for (const n of values.pairs.map(Number)) {
  const emulator = await Emulator.start();
  try {
    const aws = await AwsClients.create({
      endpointUrl: emulator.endpoint,
      rateLimits: "off",
      credentials: () => Promise.resolve({ accessKeyId: "b", secretAccessKey: "b" }),
    });
    const built = performance.now();
    const world = await buildWorld(aws, { pairs: n });
    const buildSeconds = (performance.now() - built) / 1000;
    console.log(
      `\nN = ${n} pairs (world built in ${buildSeconds.toFixed(0)} s, ${world.plants.length} planted differences)`,
    );
    if (values.incremental) {
      await benchIncremental(aws, world, emulator.endpoint);
      aws.destroy();
      continue;
    }
    aws.destroy();
    for (const limits of limitRuns) {
      const out = execFileSync(process.execPath, ["--expose-gc", "bench/scan-child.mjs"], {
        env: { ...process.env, ENDPOINT: emulator.endpoint, LIMITS: limits },
        maxBuffer: 64 * 2 ** 20,
      });
      const f = JSON.parse(out.toString()) as Figures;
      const sides = 2 * f.pairs;
      const total = Object.values(f.calls).reduce((a, b) => a + b, 0);
      const elbv2 = Object.entries(f.calls)
        .filter(([k]) => k.startsWith("ELBv2."))
        .reduce((a, [, v]) => a + v, 0);
      console.log(
        `  scan with rate limits ${limits === "aws" ? "as against AWS" : "off (emulator)"}: ${(f.durationMs / 1000).toFixed(1)} s, ${(f.pairs / (f.durationMs / 1000)).toFixed(1)} pairs/s, peak RSS ${(f.peakRss / 2 ** 20).toFixed(0)} MiB (heap after a full collection at the end ${(f.heapAfterGc / 2 ** 20).toFixed(0)} MiB), ${f.findings} findings above info`,
      );
      if (limits !== "off") continue;
      const atLimit = elbv2 / 2 / 10;
      console.log(
        `  AWS calls: ${total} in all, ${(total / sides).toFixed(2)} per load balancer per side; at AWS's ELBv2 limit ` +
          `(10/s in each of the two regions) the ${elbv2} ELBv2 calls take ${atLimit.toFixed(0)} s (${(f.pairs / atLimit).toFixed(2)} pairs/s)`,
      );
      for (const [op, count] of Object.entries(f.calls).sort(([, a], [, b]) => b - a)) {
        console.log(
          `    ${op.padEnd(42)} ${String(count).padStart(6)}  ${(count / sides).toFixed(3)} per side`,
        );
      }
    }
  } finally {
    await emulator.stop();
  }
}
