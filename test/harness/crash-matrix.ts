/**
 * The crash matrix of the example runbooks: for each boundary (before a step's mutating call,
 * after it and before the journal says so, after the journal says so), one fresh world, one
 * failover run whose runner SIGKILLs itself at that boundary of every mutating step in turn
 * (DRCTL_CRASH_AT), resumed after each kill; a step left in doubt that only a person can decide is
 * decided as a person would (did the message reach the channel?). Then the failback generated from
 * the journal runs, and the world is compared with what it was before the failover.
 *
 * Counted from what reached AWS (a recording proxy in front of the emulator), across the killed
 * processes: each mutating step's calls. Used by test/runbook-crash.test.ts and bench/runbook.ts.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import {
  ListHealthChecksCommand,
  ListHostedZonesByNameCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { paginateGetParametersByPath, SSMClient } from "@aws-sdk/client-ssm";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildWorld } from "../../demo/world/build.js";
import type { Emulator } from "../../demo/emulator.js";
import { AwsClients } from "../../src/aws/client-factory.js";
import { listRecordSets } from "../../src/aws/route53.js";
import type { CrashBoundary } from "../../src/runbook/crash-hook.js";
import { DynamoDbJournal } from "../../src/runbook/journal-dynamodb.js";
import { SqliteJournal } from "../../src/runbook/journal-sqlite.js";
import type { Journal } from "../../src/runbook/journal.js";
import { DynamoDbHistory } from "../../src/history/dynamodb.js";
import { drctlProcess, type Exited } from "./drctl-process.js";
import { recordReplicaLag } from "./moto-workarounds.js";
import { RecordingProxy, type RecordedCall } from "./recording-proxy.js";

export const BOUNDARIES: CrashBoundary[] = ["before-call", "after-call", "after-journal"];

interface Example {
  file: string;
  /** The runbook's mutating steps, each with the calls that are its effect (a key per distinct call). */
  mutating: Record<string, (c: RecordedCall) => string | undefined>;
  /** Kinds that are not idempotent: a repeat of their call without a person's decision is a failure. */
  notIdempotent: string[];
}

const param = (body: string, key: string) => {
  try {
    const v = (JSON.parse(body) as Record<string, unknown>)[key];
    return typeof v === "string" ? v : "";
  } catch {
    return new URLSearchParams(body).get(key) ?? "";
  }
};

export const EXAMPLES: Record<"warm-standby" | "dns-failover", Example> = {
  "warm-standby": {
    file: "examples/warm-standby/failover.yaml",
    mutating: {
      "promote-database": (c) =>
        c.operation === "RDS.PromoteReadReplica" && c.region === "us-west-2" ? "promote" : undefined,
      "scale-standby": (c) =>
        c.operation === "AutoScaling.UpdateAutoScalingGroup" && c.region === "us-west-2"
          ? "update"
          : undefined,
      "mark-active": (c) =>
        c.operation === "SSM.PutParameter" && c.region === "us-west-2" ? param(c.body, "Name") : undefined,
      "move-traffic": (c) => (c.operation === "Route53.ChangeResourceRecordSets" ? "change" : undefined),
      "fence-old-primary": (c) =>
        c.operation === "AutoScaling.UpdateAutoScalingGroup" && c.region === "us-east-1"
          ? "fence"
          : undefined,
    },
    notIdempotent: [],
  },
  "dns-failover": {
    file: "examples/dns-failover/failover.yaml",
    mutating: {
      announce: (c) =>
        c.operation === "SNS.Publish" && param(c.body, "Subject") === "DNS failover of api started"
          ? "publish"
          : undefined,
      "fence-primary-dns": (c) => (c.operation === "Route53.UpdateHealthCheck" ? "update" : undefined),
      report: (c) =>
        c.operation === "SNS.Publish" && param(c.body, "Subject") === "DNS failover of api done"
          ? "publish"
          : undefined,
    },
    notIdempotent: ["announce", "report"],
  },
};

export interface Trial {
  example: keyof typeof EXAMPLES;
  boundary: CrashBoundary;
  journal: "sqlite" | "dynamodb";
  /** Kill points the runner reached and died at, in order. */
  killedAt: string[];
  /** Armed points no process reached (a parallel step's kill came first, and its step was then found done). */
  unreached: string[];
  /** Mutating steps whose effect reached AWS more than once (a call repeated). */
  executedTwice: string[];
  /** Non-idempotent steps repeated without a person's decision to run them again. */
  redoneWithoutConsent: string[];
  /** The decisions a person took on steps in doubt ("announce: done"). */
  decisions: string[];
  /** Every step's attempts in the failover's journal. */
  attempts: Record<string, number>;
  failover: string;
  failback: string;
  /** What differs between the world before the failover and after the failback (empty: restored). */
  differences: string[];
  processes: number;
}

/** The parts of the world the example runbooks touch, read back (through the emulator itself). */
async function worldState(aws: AwsClients): Promise<Record<string, unknown>> {
  const capacity = async (region: string) => {
    const g = (
      await aws
        .get(AutoScalingClient, region)
        .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["web"] }))
    ).AutoScalingGroups?.[0];
    return [g?.MinSize, g?.DesiredCapacity, g?.MaxSize];
  };
  const parameters = async (region: string) => {
    const all: Record<string, string> = {};
    for await (const page of paginateGetParametersByPath(
      { client: aws.get(SSMClient, region) },
      { Path: "/app", Recursive: true, WithDecryption: false },
    ))
      for (const p of page.Parameters ?? [])
        all[p.Name ?? ""] = p.Type === "SecureString" ? `SecureString v${p.Version}` : `${p.Type}:${p.Value}`;
    return all;
  };
  const r53 = aws.get(Route53Client, "us-east-1");
  const zone =
    (await r53.send(new ListHostedZonesByNameCommand({ DNSName: "example.com" }))).HostedZones?.[0]?.Id ?? "";
  const records: string[] = [];
  for await (const r of listRecordSets(r53, zone))
    records.push(
      `${r.Name} ${r.Type} ${r.SetIdentifier ?? ""} ${r.AliasTarget?.DNSName ?? (r.ResourceRecords ?? []).map((v) => v.Value).join(",")}`,
    );
  const checks = ((await r53.send(new ListHealthChecksCommand({}))).HealthChecks ?? []).map(
    (h) =>
      `${h.HealthCheckConfig?.FullyQualifiedDomainName} inverted=${h.HealthCheckConfig?.Inverted ?? false}`,
  );
  // The database: a failback does not bring the old instance back but promotes a copy of the
  // promoted one in the primary region; what must hold is where the application's parameters find
  // a writable database.
  const writers: string[] = [];
  for (const region of ["us-east-1", "us-west-2"]) {
    const p = (await parameters(region))["/app/db/endpoint"]?.replace(/^String:/, "") ?? "";
    const host = p.split(".")[0] ?? "";
    const dbRegion = /\.([a-z]+-[a-z]+-\d)\.rds\.amazonaws\.com$/.exec(p)?.[1] ?? "";
    if (!host || !dbRegion) continue;
    const db = (
      await aws
        .get(RDSClient, dbRegion)
        .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: host }))
        .catch(() => ({ DBInstances: [] }))
    ).DBInstances?.[0];
    if (db && !db.ReadReplicaSourceDBInstanceIdentifier) writers.push(dbRegion);
  }
  const without = (o: Record<string, string>) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => k !== "/app/db/endpoint"));
  return {
    "capacity us-east-1": await capacity("us-east-1"),
    "capacity us-west-2": await capacity("us-west-2"),
    "parameters us-east-1": without(await parameters("us-east-1")),
    "parameters us-west-2": without(await parameters("us-west-2")),
    records: records.sort(),
    "health checks": checks.sort(),
    "writable database in": [...new Set(writers)].sort(),
  };
}

function differences(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return Object.keys(a)
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k}: ${JSON.stringify(a[k])} before, ${JSON.stringify(b[k])} after`);
}

type Cli = Exited;

const cli = (drctl: string[], args: string[], env: Record<string, string>): Promise<Cli> =>
  drctlProcess(drctl, args, env).exited;

export interface MatrixContext {
  emulator: Emulator;
  /** How to start drctl: node's arguments before drctl's (a bundle, or --import tsx src/cli/main.ts). */
  drctl: string[];
  log?: (line: string) => void;
}

/** One trial: a fresh world, the failover killed at `boundary` of each mutating step, resumed; its failback. */
export async function crashTrial(
  m: MatrixContext,
  exampleName: keyof typeof EXAMPLES,
  boundary: CrashBoundary,
  journal: "sqlite" | "dynamodb",
): Promise<Trial> {
  const example = EXAMPLES[exampleName];
  const log = m.log ?? (() => undefined);
  await m.emulator.reset();
  const direct = await AwsClients.create({
    endpointUrl: m.emulator.endpoint,
    rateLimits: "off",
    credentials: () => Promise.resolve({ accessKeyId: "test", secretAccessKey: "test" }),
  });
  const proxy = await RecordingProxy.start(m.emulator.endpoint);
  // The service name answers once the primary's health check is inverted (as Route 53 would resolve it).
  const server = createServer((req, res) => {
    if (req.url === "/standby/health") return void res.writeHead(200).end('{"status":"healthy"}');
    void direct
      .get(Route53Client, "us-east-1")
      .send(new ListHealthChecksCommand({}))
      .then((out) => {
        const inverted = out.HealthChecks?.find((h) =>
          h.HealthCheckConfig?.FullyQualifiedDomainName?.includes("us-east-1"),
        )?.HealthCheckConfig?.Inverted;
        res.writeHead(inverted ? 200 : 503).end(inverted ? '{"status":"healthy"}' : "down");
      });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const world = await buildWorld(direct, { pairs: 1 });
    await recordReplicaLag(direct, "us-west-2", "app-db-replica", 2);
    const home = mkdtempSync(join(tmpdir(), "drctl-crash-"));
    const store = journal === "dynamodb" ? "dynamodb://drctl-journal?region=us-east-1" : undefined;
    if (store) await DynamoDbHistory.createTable(direct, "drctl-journal", "us-east-1");
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sets =
      exampleName === "dns-failover"
        ? [
            `standbyHealthUrl=${base}/standby/health`,
            `serviceUrl=${base}/service/health`,
            `topicArn=${world.topicArn}`,
            "dnsSettleSeconds=0",
            "checkIntervalSeconds=0.05",
          ].flatMap((s) => ["--set", s])
        : [];
    const global = ["--endpoint-url", proxy.endpoint, ...(store ? ["--store", store] : [])];
    const env = {
      DRCTL_HOME: home,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
    };
    const before = await worldState(direct);
    const start = proxy.calls.length;

    const remaining = new Set(Object.keys(example.mutating).map((s) => `${s}:${boundary}`));
    const killedAt: string[] = [];
    const decisions: string[] = [];
    const consented = new Set<string>();
    let runId = "";
    let processes = 0;
    let last: Cli | undefined;
    const journalOf = (): Journal =>
      store
        ? new DynamoDbJournal(direct, "drctl-journal", "us-east-1")
        : SqliteJournal.open(join(home, "journal.sqlite"));
    for (let turn = 0; turn < 20; turn++) {
      const args = runId
        ? [...global, "runbook", "resume", runId, "--execute"]
        : [...global, "failover", "run", "--runbook", example.file, "--execute", ...sets];
      last = await cli(m.drctl, args, { ...env, DRCTL_CRASH_AT: [...remaining].join(",") });
      processes++;
      if (!runId) {
        const j = journalOf();
        runId = (await j.runs())[0]?.runId ?? "";
        j.close();
      }
      const fired = /drctl: crash point (\S+)/.exec(last.stderr)?.[1];
      if (last.signal === "SIGKILL" && fired) {
        killedAt.push(fired);
        remaining.delete(fired);
        log(`  killed at ${fired}`);
        continue;
      }
      if (last.code === 0) break;
      // Stopped for a person: decide each step in doubt as its operator would, by looking at the channel.
      const j = journalOf();
      const waiting = (await j.steps(runId)).filter((s) => s.status === "in-doubt");
      j.close();
      if (waiting.length === 0) break;
      for (const s of waiting) {
        const key = example.mutating[s.stepId];
        const arrived = proxy.since(start).some((c) => key?.(c) !== undefined);
        const decision = arrived ? "done" : "redo";
        const r = await cli(
          m.drctl,
          [
            ...global,
            "runbook",
            "approve",
            runId,
            s.stepId,
            ...(arrived ? ["--done"] : []),
            "--by",
            "crash-matrix",
          ],
          env,
        );
        processes++;
        if (r.code !== 0) throw new Error(`approve ${s.stepId}: ${r.stderr}`);
        decisions.push(`${s.stepId}: ${decision}`);
        if (decision === "redo") consented.add(s.stepId);
        log(`  ${s.stepId} in doubt: decided ${decision}`);
      }
    }
    const failoverCalls = proxy.since(start);
    const executedTwice: string[] = [];
    const redoneWithoutConsent: string[] = [];
    for (const [step, key] of Object.entries(example.mutating)) {
      const counts = new Map<string, number>();
      for (const c of failoverCalls) {
        const k = key(c);
        if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      if ([...counts.values()].some((n) => n > 1)) {
        executedTwice.push(step);
        if (example.notIdempotent.includes(step) && !consented.has(step)) redoneWithoutConsent.push(step);
      }
    }
    const j = journalOf();
    const run = await j.run(runId);
    const attempts = Object.fromEntries((await j.steps(runId)).map((s) => [s.stepId, s.attempts]));
    j.close();

    // The failback generated from the journal.
    if (exampleName === "warm-standby") await recordReplicaLag(direct, "us-east-1", "app-db-failback", 1);
    const back = await cli(m.drctl, [...global, "failback", "run", "--from", runId, "--execute"], env);
    processes++;
    const after = await worldState(direct);
    return {
      example: exampleName,
      boundary,
      journal,
      killedAt,
      unreached: [...remaining],
      executedTwice,
      redoneWithoutConsent,
      decisions,
      attempts,
      failover: run?.status ?? `no run (${last?.stderr ?? ""})`,
      failback:
        back.code === 0
          ? "succeeded"
          : `exit ${back.code}: ${back.stdout.slice(-800)}${back.stderr.slice(-800)}`,
      differences: differences(before, after),
      processes,
    };
  } finally {
    await proxy.stop();
    await new Promise<void>((r) => server.close(() => r()));
    direct.destroy();
  }
}
