// Runs one scan against ENDPOINT with the compiled drctl (dist/, as users run it) and prints its
// figures as JSON; bench/scan.ts starts it so that the peak RSS is the scan's alone.
// INCREMENTAL=1: an incremental scan continuing from the scan in PREVIOUS (a JSON file, absent: none),
// hearing the changes in CHANGES (a JSON file of change signals, as the deployment's rule records
// them); NOW: the scan's time; OUT: where to write the whole result.
import { readFileSync, writeFileSync } from "node:fs";
import { AwsClients } from "../dist/src/aws/client-factory.js";
import { DEFAULT_RATE_LIMITS } from "../dist/src/aws/rate-limits.js";
import { RESOURCE_TYPES } from "../dist/src/catalog.js";
import { runScan } from "../dist/src/scan/engine.js";

// LIMITS=aws: AWS's published rates, named as drctl.yaml would (a loopback endpoint has none otherwise).
const aws = await AwsClients.create({
  endpointUrl: process.env.ENDPOINT ?? "",
  rateLimits: process.env.LIMITS === "aws" ? DEFAULT_RATE_LIMITS : "off",
  credentials: () => Promise.resolve({ accessKeyId: "bench", secretAccessKey: "bench" }),
});
const readJson = (file) => (file ? JSON.parse(readFileSync(file, "utf8")) : undefined);
const previous = readJson(process.env.PREVIOUS);
const changes = readJson(process.env.CHANGES) ?? [];
const incremental = process.env.INCREMENTAL
  ? {
      ...(previous ? { previous } : {}),
      fullEveryMs: Number(process.env.FULL_EVERY_MS ?? 24 * 3_600_000),
      stateEveryMs: 3_600_000,
      signals: async () => [{ source: "event-rule", region: "recorded", changes }],
    }
  : undefined;
// TYPES=sqs-queue,sns-topic: only those types (the calls one type makes); empty: every type.
const only = (process.env.TYPES ?? "").split(",").filter(Boolean);
const result = await runScan(aws, {
  types: only.length ? RESOURCE_TYPES.filter((t) => only.includes(t.pairing.type)) : RESOURCE_TYPES,
  primaryRegions: [process.env.PRIMARY_REGION ?? "us-east-1"],
  configPairs: [],
  settings: {
    strategy: "pilot-light",
    certificateExpiryDays: 30,
    now: process.env.NOW ? new Date(process.env.NOW) : new Date(),
  },
  suppressions: [],
  concurrency: 16,
  ...(incremental ? { incremental } : {}),
});
const findings = result.pairs.flatMap((p) => p.findings).filter((f) => f.severity !== "info").length;
// maxRSS is the kernel's high-water mark for this process, in KiB.
const peakRss = process.resourceUsage().maxRSS * 1024;
if (process.env.OUT) writeFileSync(process.env.OUT, JSON.stringify(result));
// What the scan keeps (its result, the loaded modules and clients): the heap after a full
// collection (bench/scan.ts runs this with --expose-gc).
globalThis.gc?.();
const heapAfterGc = process.memoryUsage().heapUsed;
process.stdout.write(
  JSON.stringify({
    pairs: result.stats.pairs,
    durationMs: result.stats.durationMs,
    calls: result.stats.calls,
    findings,
    peakRss,
    ...(result.incremental ? { incremental: result.incremental } : {}),
    heapAfterGc,
  }),
);
aws.destroy();
