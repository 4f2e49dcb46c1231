/**
 * npm run bench:runbook -- --steps 50 [--journal dynamodb]
 * The engine's own overhead per step: a chain of N sleep steps of 0 s (no AWS call, no wait)
 * and a fan-out of N independent ones, each journaled as a real run is. With --journal dynamodb
 * the journal is the cloud's (DynamoDB in the local emulator), and the journal's calls per step
 * are counted too. Prints figures only.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { AwsClients } from "../src/aws/client-factory.js";
import { executeRunbook } from "../src/runbook/engine.js";
import { DynamoDbJournal } from "../src/runbook/journal-dynamodb.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import type { Journal } from "../src/runbook/journal.js";
import { DynamoDbHistory } from "../src/store/dynamodb.js";
import { Emulator } from "../demo/emulator.js";
import { loadRunbook } from "../src/runbook/load.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "50" },
    rounds: { type: "string", default: "5" },
    journal: { type: "string", default: "sqlite" },
  },
});
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
    const { run } = await executeRunbook(aws, journal, loadRunbook(file));
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
