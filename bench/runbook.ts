/**
 * npm run bench:runbook -- --steps 50
 * The engine's own overhead per step: a chain of N sleep steps of 0 s (no AWS call, no wait)
 * and a fan-out of N independent ones, each journaled as a real run is. Prints figures only.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { AwsClients } from "../src/aws/client-factory.js";
import { executeRunbook } from "../src/runbook/engine.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { loadRunbook } from "../src/runbook/load.js";

const { values } = parseArgs({
  options: { steps: { type: "string", default: "50" }, rounds: { type: "string", default: "5" } },
});
const n = Number(values.steps);
const dir = mkdtempSync(join(tmpdir(), "drctl-bench-runbook-"));
const aws = await AwsClients.create({
  credentials: () => Promise.resolve({ accessKeyId: "b", secretAccessKey: "b" }),
});

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
  for (let round = 0; round < Number(values.rounds); round++) {
    const journal = SqliteJournal.open(join(dir, `journal-${shape}-${round}.sqlite`));
    const started = performance.now();
    const { run } = await executeRunbook(aws, journal, loadRunbook(file));
    timings.push(performance.now() - started);
    journal.close();
    if (run.status !== "succeeded") throw new Error(`bench run ${shape} failed`);
  }
  const best = Math.min(...timings);
  const median = [...timings].sort((a, b) => a - b)[Math.floor(timings.length / 2)] ?? best;
  console.log(
    `${shape} of ${n} steps: median ${median.toFixed(1)} ms per run, ${(median / n).toFixed(2)} ms engine overhead per step (best ${(best / n).toFixed(2)} ms)`,
  );
}
aws.destroy();
