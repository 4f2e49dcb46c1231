/**
 * The crash matrix (test/harness/crash-matrix.ts): the example runbooks' runner killed with
 * SIGKILL at each boundary of every mutating step, resumed, failed back, and the world compared
 * with what it was. On SQLite both examples at every boundary; on the DynamoDB journal (the
 * cloud's) the warm-standby failover at every boundary, to keep the suite's time in hand (the
 * benchmark runs the full matrix on both: npm run bench:runbook -- --crash-matrix).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { bundleCli } from "./harness/cli-bundle.js";
import { BOUNDARIES, crashTrial, EXAMPLES, type Trial } from "./harness/crash-matrix.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();
let drctl: string[];

beforeAll(() => {
  drctl = bundleCli();
});

function expectSafe(t: Trial) {
  const where = `${t.example} at ${t.boundary} (${t.journal})`;
  expect(t.failover, where).toBe("succeeded");
  expect(t.killedAt.length, `${where}: no kill point reached`).toBeGreaterThan(0);
  expect(t.executedTwice, `${where}: steps whose calls reached AWS twice`).toEqual([]);
  expect(t.redoneWithoutConsent, where).toEqual([]);
  expect(t.failback, where).toBe("succeeded");
  expect(t.differences, `${where}: the world after the failback`).toEqual([]);
  // Every step ran in one attempt: an attempt a kill interrupted goes on, it is not a second one.
  expect(
    Object.values(t.attempts).every((n) => n === 1),
    `${where}: ${JSON.stringify(t.attempts)}`,
  ).toBe(true);
}

describe("the crash matrix", () => {
  for (const example of Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[])
    it(`${example}, SQLite journal: killed at each boundary of every mutating step, resumed, failed back to the world it began with`, async () => {
      for (const boundary of BOUNDARIES)
        expectSafe(await crashTrial({ emulator: env.emulator, drctl }, example, boundary, "sqlite"));
    }, 600_000);

  it("warm-standby, DynamoDB journal: the same", async () => {
    for (const boundary of BOUNDARIES)
      expectSafe(await crashTrial({ emulator: env.emulator, drctl }, "warm-standby", boundary, "dynamodb"));
  }, 600_000);
});
