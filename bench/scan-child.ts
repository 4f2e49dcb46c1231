// Runs one scan against ENDPOINT and prints its figures as JSON (see bench/scan.ts).
import { AwsClients } from "../src/aws/client-factory.js";
import { runScan } from "../src/scan/engine.js";

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const aws = await AwsClients.create({
  endpointUrl: process.env.ENDPOINT ?? "",
  rateLimits: "off",
  credentials: () => Promise.resolve({ accessKeyId: "bench", secretAccessKey: "bench" }),
});
const result = await runScan(aws, {
  primaryRegions: ["us-east-1"],
  configPairs: [],
  settings: { strategy: "pilot-light", certificateExpiryDays: 30, now: new Date() },
  suppressions: [],
  concurrency: 16,
});
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const findings = result.pairs.flatMap((p) => p.findings).filter((f) => f.severity !== "info").length;
process.stdout.write(
  JSON.stringify({
    pairs: result.stats.pairs,
    durationMs: result.stats.durationMs,
    calls: result.stats.calls,
    findings,
    peakRss,
  }),
);
aws.destroy();
