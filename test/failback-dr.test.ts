/**
 * A failback restores DR or says it did not: the generated failback of the demo's failover ends
 * by creating a replica of the database it promotes back, in the standby region; until a run has
 * made one, the DR plan lists "DR not restored" as an open risk, and no longer once it has.
 */
import { STEP_KINDS } from "../src/catalog.js";
import { DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorld } from "../demo/world/build.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runCli } from "../src/cli/program.js";
import type { PlanResult } from "../src/core/plan-result.js";
import { generateFailback, runbookOfRun } from "../src/runbook/failback.js";
import { checkCommands } from "../src/runbook/cli-shapes.testing.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { manualSteps } from "../src/runbook/manual-steps.js";
import { useEmulator } from "./harness/emulator.js";
import { recordReplicaLag, workaroundProxy } from "./harness/moto-workarounds.js";

const env = useEmulator();
let aws: AwsClients;
let dir: string;
let configFile: string;

async function drctl(endpoint: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(["--config", configFile, "--endpoint-url", endpoint, ...argv], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

async function risksOf(endpoint: string) {
  const r = await drctl(endpoint, "--json", "plan", "--no-store");
  expect(r.code, r.stderr).toBe(0);
  const plans = (JSON.parse(r.stdout) as { plans: PlanResult[] }).plans;
  return plans.find((p) => p.application === "web")?.risks ?? [];
}

beforeAll(async () => {
  aws = await env.clients();
  await buildWorld(aws, { pairs: 1 });
  dir = mkdtempSync(join(tmpdir(), "drctl-failback-dr-"));
  configFile = join(dir, "drctl.yaml");
  mkdirSync(join(dir, "runbooks"));
  copyFileSync("examples/warm-standby/failover.yaml", join(dir, "runbooks", "failover.yaml"));
  writeFileSync(
    configFile,
    `regions: { primary: us-east-1, standby: us-west-2 }
store: ${join(dir, "history.sqlite")}
applications:
  - name: web
    rto: 30m
    arns: ["arn:aws:rds:*:*:db:app-db*"]
    contacts: [{ name: on-call, pager: "https://pager.example.com" }]
    runbooks: { failover: runbooks/failover.yaml }
`,
  );
  process.env.DRCTL_HOME = join(dir, "home");
});

describe("the failback of the demo's failover", () => {
  it("ends by creating a replica of the database it promotes back; the plan says DR is not restored until one exists", async () => {
    await recordReplicaLag(aws, "us-west-2", "app-db-replica", 3);
    // moto leaves a promoted replica marked as a replica; the harness proxy corrects that.
    const proxy = await workaroundProxy(env.emulator.endpoint);
    try {
      const over = await drctl(
        proxy.endpoint,
        "failover",
        "run",
        "--runbook",
        join(dir, "runbooks", "failover.yaml"),
        "--execute",
      );
      expect(over.code, over.stdout + over.stderr).toBe(0);
      const runId = /run (run-\S+): succeeded/.exec(over.stdout)?.[1] ?? "";

      // After the failover, the promoted standby has no replica anywhere.
      const afterFailover = (await risksOf(proxy.endpoint)).filter((r) =>
        r.key.startsWith("dr-not-restored:"),
      );
      expect(afterFailover).toHaveLength(1);
      expect(afterFailover[0]?.key).toMatch(/^dr-not-restored:arn:aws:rds:us-west-2:\d+:db:app-db-replica$/);
      expect(afterFailover[0]?.message).toMatch(
        new RegExp(`^DR not restored: app-db-replica in us-west-2 was promoted by run ${runId} `),
      );
      expect(afterFailover[0]?.command).toMatch(
        /^aws rds create-db-instance-read-replica --region us-east-1 --db-instance-identifier app-db-replica-replica --source-db-instance-identifier arn:aws:rds:us-west-2:\d+:db:app-db-replica$/,
      );
      expect(checkCommands([afterFailover[0]?.command ?? ""]).issues).toEqual([]);

      // The generated failback: replicate back, promote there, then DR again towards the standby.
      const journal = SqliteJournal.open(join(dir, "home", "journal.sqlite"));
      const run = await journal.run(runId);
      if (!run) throw new Error("no run");
      const records = await journal.steps(runId);
      journal.close();
      const { runbook } = generateFailback(runbookOfRun(STEP_KINDS, run, records), run, records);
      const last = runbook.steps.at(-1);
      expect(last).toMatchObject({
        id: "restore-dr-promote-database",
        kind: "rds.create-read-replica",
        params: {
          instance: "app-db-replica-2",
          source: "${steps.undo-promote-database-promote.outputs.arn}",
        },
      });
      expect(last?.region ?? runbook.region).toBe("us-west-2");
      // It runs last: after every other step of the failback.
      const others = runbook.steps.slice(0, -1).map((s) => s.id);
      const ends = others.filter(
        (id) => !runbook.steps.some((s) => s.id !== last?.id && s.after.includes(id)),
      );
      expect(last?.after.sort()).toEqual(ends.sort());
      // By hand too: the new replica's source is the ARN of the database promoted back.
      const byHand = manualSteps(runbook, STEP_KINDS);
      expect(byHand.get("restore-dr-promote-database")?.[0]).toMatch(
        /^aws rds create-db-instance-read-replica --region us-west-2 --db-instance-identifier app-db-replica-2 --source-db-instance-identifier "\$\(aws rds describe-db-instances --region us-east-1 --db-instance-identifier app-db-failback --query 'DBInstances\[0\].DBInstanceArn' --output text\)"$/,
      );
      expect(checkCommands([...byHand.values()].flat()).issues).toEqual([]);
      expect(runbook.description).toMatch(
        /DR is restored by restore-dr-promote-database: app-db-replica-2 in us-west-2 replicates app-db-failback/,
      );

      await recordReplicaLag(aws, "us-east-1", "app-db-failback", 1);
      const back = await drctl(proxy.endpoint, "failback", "run", "--from", runId, "--execute");
      expect(back.code, back.stdout + back.stderr).toBe(0);
      const replica = (
        await aws
          .get(RDSClient, "us-west-2")
          .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "app-db-replica-2" }))
      ).DBInstances?.[0];
      expect(replica?.ReadReplicaSourceDBInstanceIdentifier).toMatch(
        /^arn:aws:rds:us-east-1:\d+:db:app-db-failback$/,
      );
      // The failback's last step made the replica: DR is restored, and the plan no longer says otherwise.
      expect((await risksOf(proxy.endpoint)).filter((r) => r.key.startsWith("dr-not-restored:"))).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });
});
