// Runs one freshness measurement against ENDPOINT with the compiled drctl (dist/, as users run
// it), puts its metrics, and prints the figures as JSON; bench/freshness.ts starts it so that
// the peak RSS is the run's alone.
import { AwsClients } from "../dist/src/aws/client-factory.js";
import { configSchema } from "../dist/src/config/schema.js";
import { STORE_TYPES } from "../dist/src/catalog.js";
import { runFreshness } from "../dist/src/freshness/engine.js";
import { putFreshnessMetrics } from "../dist/src/freshness/put-metrics.js";
import { performance } from "node:perf_hooks";

const aws = await AwsClients.create({
  endpointUrl: process.env.ENDPOINT ?? "",
  rateLimits: "off",
  credentials: () => Promise.resolve({ accessKeyId: "bench", secretAccessKey: "bench" }),
});
const config = configSchema.parse({ regions: { primary: "us-east-1", standby: "us-west-2" }, rpo: "15m" });
const result = await runFreshness(aws, {
  types: STORE_TYPES,
  primaryRegions: ["us-east-1"],
  standbyRegions: ["us-west-2"],
  config,
  now: new Date(),
});
const started = performance.now();
const put = await putFreshnessMetrics(aws, "us-east-1", result);
const putMs = performance.now() - started;
const statuses = {};
for (const s of result.stores)
  statuses[`${s.kind} ${s.status}`] = (statuses[`${s.kind} ${s.status}`] ?? 0) + 1;
// maxRSS is the kernel's high-water mark for this process, in KiB.
const peakRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  JSON.stringify({
    stores: result.stats.stores,
    durationMs: result.stats.durationMs,
    calls: result.stats.calls,
    statuses,
    findings: result.findings.filter((f) => f.status !== "pass").length,
    put: { ...put, ms: putMs },
    peakRss,
  }),
);
aws.destroy();
