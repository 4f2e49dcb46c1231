/**
 * npm run bench:runbook -- --steps 50 [--journal dynamodb]
 * The engine's own overhead per step: a chain of N sleep steps of 0 s (no AWS call, no wait)
 * and a fan-out of N independent ones, each journaled as a real run is. With --journal dynamodb
 * the journal is the cloud's (DynamoDB in the local emulator), and the journal's calls per step
 * are counted too.
 *
 * npm run bench:runbook -- --crash-matrix [--journal sqlite|dynamodb|both]
 * The crash matrix of the example runbooks (test/harness/crash-matrix.ts): every mutating step
 * killed at each boundary, resumed, failed back; kill points tried, steps whose calls reached AWS
 * twice, non-idempotent steps repeated without a person's decision, failbacks that restored the
 * world. Prints figures only.
 */
import { STEP_KINDS } from "../src/catalog.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { AwsClients } from "../src/aws/client-factory.js";
import { executeRunbook } from "../src/runbook/engine.js";
import { DynamoDbJournal } from "../src/runbook/journal-dynamodb.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import type { Journal } from "../src/runbook/journal.js";
import { DynamoDbHistory } from "../src/history/dynamodb.js";
import { Emulator } from "../demo/emulator.js";
import { loadRunbook } from "../src/runbook/load.js";
import type { Trial } from "../test/harness/crash-matrix.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "50" },
    rounds: { type: "string", default: "5" },
    journal: { type: "string", default: "sqlite" },
    "crash-matrix": { type: "boolean", default: false },
  },
});
if (values["crash-matrix"]) {
  if (!["sqlite", "dynamodb", "both"].includes(values.journal))
    throw new Error(`--journal: expected sqlite, dynamodb or both, got ${values.journal}`);
  await crashMatrix(
    values.journal === "both" ? ["sqlite", "dynamodb"] : [values.journal as "sqlite" | "dynamodb"],
  );
  process.exit(0);
}
if (values.journal !== "sqlite" && values.journal !== "dynamodb")
  throw new Error(`--journal: expected sqlite or dynamodb, got ${values.journal}`);
const n = Number(values.steps);
const dir = mkdtempSync(join(tmpdir(), "drctl-bench-runbook-"));
const emulator = values.journal === "dynamodb" ? await Emulator.start() : undefined;
const aws = await AwsClients.create({
  credentials: () => Promise.resolve({ accessKeyId: "b", secretAccessKey: "b" }),
  ...(emulator ? { endpointUrl: emulator.endpoint, rateLimits: "off" as const } : {}),
});
if (emulator) await DynamoDbHistory.createTable(aws, "bench-journal", "us-east-1");
const openJournal = (name: string): Journal =>
  emulator
    ? new DynamoDbJournal(aws, "bench-journal", "us-east-1")
    : SqliteJournal.open(join(dir, `journal-${name}.sqlite`));

for (const shape of ["chain", "fan-out"] as const) {
  const steps = Array.from(
    { length: n },
    (_, i) =>
      `  - id: s${i}\n    kind: sleep\n    params: { seconds: 0 }${shape === "chain" && i > 0 ? `\n    after: [s${i - 1}]` : ""}`,
  );
  const file = join(dir, `${shape}.yaml`);
  writeFileSync(
    file,
    `version: 1\nname: ${shape}\napplication: bench-${shape}\nregion: us-east-1\nsteps:\n${steps.join("\n")}\n`,
  );
  const timings: number[] = [];
  const callCounts: number[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    const journal = openJournal(`${shape}-${round}`);
    const calls = aws.counter.total;
    const started = performance.now();
    const { run } = await executeRunbook(aws, journal, loadRunbook(STEP_KINDS, file));
    timings.push(performance.now() - started);
    callCounts.push(aws.counter.total - calls);
    journal.close();
    if (run.status !== "succeeded") throw new Error(`bench run ${shape} failed`);
  }
  const best = Math.min(...timings);
  const median = [...timings].sort((a, b) => a - b)[Math.floor(timings.length / 2)] ?? best;
  console.log(
    `${shape} of ${n} steps, ${values.journal} journal: median ${median.toFixed(1)} ms per run, ${(median / n).toFixed(2)} ms engine overhead per step (best ${(best / n).toFixed(2)} ms)${emulator ? `, ${((callCounts[0] ?? 0) / n).toFixed(1)} journal calls per step` : ""}`,
  );
}
aws.destroy();
await emulator?.stop();

async function crashMatrix(journals: ("sqlite" | "dynamodb")[]): Promise<void> {
  const { bundleCli } = await import("../test/harness/cli-bundle.js");
  const { BOUNDARIES, crashTrial, EXAMPLES } = await import("../test/harness/crash-matrix.js");
  const emulator = await Emulator.start();
  const drctl = bundleCli();
  const started = performance.now();
  const trials: Trial[] = [];
  try {
    for (const journal of journals)
      for (const example of Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[])
        for (const boundary of BOUNDARIES) {
          const t = await crashTrial({ emulator, drctl }, example, boundary, journal);
          trials.push(t);
          console.log(
            `${journal.padEnd(8)} ${example.padEnd(13)} ${boundary.padEnd(13)} killed at ${t.killedAt.length} (${t.unreached.length} not reached), twice: ${t.executedTwice.length ? t.executedTwice.join(",") : "none"}, redone without consent: ${t.redoneWithoutConsent.length ? t.redoneWithoutConsent.join(",") : "none"}, decisions: ${t.decisions.join(", ") || "none"}, failover ${t.failover}, failback ${t.failback === "succeeded" ? "succeeded" : "FAILED"}, world ${t.differences.length ? `DIFFERS (${t.differences.join("; ")})` : "restored"}`,
          );
        }
  } finally {
    await emulator.stop();
  }
  const sum = (f: (t: Trial) => number) => trials.reduce((n, t) => n + f(t), 0);
  const restored = trials.filter((t) => t.failback === "succeeded" && t.differences.length === 0).length;
  console.log(
    [
      `crash matrix (${journals.join(" and ")} journal${journals.length > 1 ? "s" : ""}): ${trials.length} trials, ${sum((t) => t.processes)} drctl processes, ${((performance.now() - started) / 1000).toFixed(0)} s`,
      `  kill points tried: ${sum((t) => t.killedAt.length)} (of ${sum((t) => t.killedAt.length + t.unreached.length)} armed)`,
      `  steps executed twice: ${sum((t) => t.executedTwice.length)}`,
      `  non-idempotent steps redone without consent: ${sum((t) => t.redoneWithoutConsent.length)}`,
      `  steps decided by a person (in doubt, not idempotent): ${sum((t) => t.decisions.length)}`,
      `  failbacks that restored the original state: ${restored} of ${trials.length}`,
    ].join("\n"),
  );
}
