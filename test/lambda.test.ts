import { CreateBucketCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSendQuotaCommand, SESClient } from "@aws-sdk/client-ses";
import { CreateEmailIdentityCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorld, changeWorld, type World } from "../demo/world/build.js";
import { aggregate, notify, plan, publish, scanBatch, type BatchOutcome } from "../src/lambda/handlers.js";
import { runtimeFromEnv, type Runtime } from "../src/lambda/runtime.js";
import { asScan } from "../src/history/types.js";
import { DynamoDbHistory } from "../src/history/dynamodb.js";
import { useEmulator } from "./harness/emulator.js";
import { changes } from "../src/lambda/changes.js";
import { apiCallEvent } from "../demo/world/events.js";
import {
  ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";

const env = useEmulator();
let world: World;
let rt: Runtime;

const ENV = {
  DRCTL_CONFIG: [
    "strategy: pilot-light",
    "scan:",
    "  batchSize: 2",
    // These runs read every pair; the incremental default is tested at the end.
    "  incremental: false",
    "notify:",
    "  email:",
    "    from: drctl@example.com",
    "    to: [dr-oncall@example.com]",
    "    transport: ses",
    "    ses: { region: us-east-1 }",
  ].join("\n"),
  DRCTL_STORE: "dynamodb://drctl-history?region=us-east-1",
  DRCTL_SITE: "s3://drctl-site/reports",
  DRCTL_RESULTS: "s3://drctl-results/work",
};

/** What the Step Functions workflow does, in process: plan, the map with its Catch, aggregate, publish, notify. */
async function scheduledRun(failBatch?: number, runtime: Runtime = rt) {
  const p = await plan(runtime);
  const outcomes: BatchOutcome[] = [];
  for (const batch of p.batches) {
    const item = { runId: p.runId, generatedAt: p.generatedAt, ...batch };
    // The workflow retries a failing batch, then its Catch passes the batch on as failed.
    outcomes.push(
      batch.index === failBatch
        ? {
            index: batch.index,
            failed: true,
            error: "States.Timeout: the task timed out",
            pairs: batch.pairs,
          }
        : await scanBatch(runtime, item),
    );
  }
  const summary = await aggregate(runtime, {
    runId: p.runId,
    generatedAt: p.generatedAt,
    discoveryKey: p.discoveryKey,
    batches: outcomes,
  });
  const published = await publish(runtime, summary);
  // A run with a failed batch could not read everything: its notify step tells no one and fails.
  if (failBatch !== undefined) {
    await expect(notify(runtime, summary)).rejects.toThrow(
      /could not read everything \(\d+ reads? failed: the batch that scanned this pair failed after its retries.*\); it is stored, and nothing was sent$/,
    );
    return { plan: p, summary: { ...summary, site: published.site, deliveries: [] } };
  }
  const notified = await notify(runtime, summary);
  return { plan: p, summary: { ...summary, site: published.site, deliveries: notified.deliveries } };
}

beforeAll(async () => {
  const aws = await env.clients();
  world = await buildWorld(aws, { pairs: 3 });
  await DynamoDbHistory.createTable(aws, "drctl-history", "us-east-1");
  await aws.get(S3Client, "us-east-1").send(new CreateBucketCommand({ Bucket: "drctl-results" }));
  await aws
    .get(SESv2Client, "us-east-1")
    .send(new CreateEmailIdentityCommand({ EmailIdentity: "drctl@example.com" }));
  rt = await runtimeFromEnv({ ...process.env, ...ENV });
});

describe("the scheduled cloud scan, handlers run in process against the emulator", () => {
  it("fans out in batches, stores the run in DynamoDB, emails through SES and publishes to S3", async () => {
    const { plan: p, summary } = await scheduledRun();
    // Three load-balancer pairs and the database RDS records with its cross-region read replica.
    expect(p.batches.map((b) => b.pairs.length)).toEqual([2, 2]);
    expect(summary).toMatchObject({ pairs: 4, failedBatches: 0, site: "s3://drctl-site/reports/index.html" });
    expect(summary.deliveries).toEqual([expect.objectContaining({ channel: "email (SES)", ok: true })]);

    const stored = asScan(await new DynamoDbHistory(rt.aws, "drctl-history", "us-east-1").get(summary.runId));
    expect(stored?.result.pairs.map((x) => x.name)).toEqual(["app-db", ...world.pairs.map((x) => x.name)]);
    const planted = world.plants.map((x) => `${x.pair} ${x.expect.ruleId}`).sort();
    const found = stored?.result.pairs
      .flatMap((x) => x.findings)
      .filter((f) => f.severity !== "info")
      .map((f) => `${f.pair} ${f.ruleId}`)
      .sort();
    expect(found).toEqual(planted);

    const quota = await rt.aws.get(SESClient, "us-east-1").send(new GetSendQuotaCommand({}));
    // (moto counts the message's To header and its envelope recipient each, so one email reads as 2)
    expect(quota.SentLast24Hours).toBeGreaterThan(0);
    expect(summary.deliveries[0]?.detail).toMatch(/^SES in us-east-1 accepted it \(\S+\)$/);
    const index = await rt.aws
      .get(S3Client, "us-east-1")
      .send(new GetObjectCommand({ Bucket: "drctl-site", Key: "reports/index.html" }));
    expect(await index.Body?.transformToString()).toContain(`runs/${summary.runId}/index.html`);
  });

  it("reports what changed since the previous scheduled run", async () => {
    await changeWorld(world, await env.clients());
    const { summary } = await scheduledRun();
    expect(summary).toMatchObject({ new: 1, resolved: 1 });
  });

  it("turns a batch that failed after its retries into error findings on its pairs, and loses nothing else", async () => {
    const { plan: p, summary } = await scheduledRun(1);
    expect(summary.failedBatches).toBe(1);
    const stored = asScan(await new DynamoDbHistory(rt.aws, "drctl-history", "us-east-1").get(summary.runId));
    const failedPair = p.batches[1]?.pairs[0]?.primary;
    const pair = stored?.result.pairs.find((x) => x.primaryArn === failedPair);
    expect(pair?.status).toBe("error");
    expect(pair?.findings.map((f) => [f.ruleId, f.message])).toEqual([
      [
        "pair.unreadable",
        "the batch that scanned this pair failed after its retries: States.Timeout: the task timed out",
      ],
    ]);
    expect(stored?.result.pairs).toHaveLength(4);
  });
});

describe("the notify step", () => {
  it("fails with every channel's reason when one fails, so the workflow retries; the run stays stored", async () => {
    const failing = await runtimeFromEnv({
      ...process.env,
      ...ENV,
      DRCTL_CONFIG: `${ENV.DRCTL_CONFIG}\n  webhook:\n    url: http://127.0.0.1:9/hook\n    format: teams\n`,
    });
    // The newest run that read everything (the newest one had a failed batch).
    const history = new DynamoDbHistory(failing.aws, "drctl-history", "us-east-1");
    const runs = await history.list({ limit: 10 });
    const complete = await Promise.all(
      runs.map(async (r) =>
        asScan(await history.get(r.id))?.result.pairs.every((p) => p.status !== "error") ? r : undefined,
      ),
    );
    const latest = complete.find((r) => r !== undefined);
    expect(latest).toBeDefined();
    await expect(notify(failing, { runId: latest?.id ?? "" })).rejects.toThrow(
      /^notification failed: webhook \(teams\): fetch failed/,
    );
    expect(
      await new DynamoDbHistory(failing.aws, "drctl-history", "us-east-1").get(latest?.id ?? ""),
    ).toBeDefined();
  });
});

describe("the run after one with a failed batch", () => {
  it("compares the next run with the newest one that read everything, not the one with a failed batch", async () => {
    const history = new DynamoDbHistory(rt.aws, "drctl-history", "us-east-1");
    const [failed] = await history.list({ kind: "scan", limit: 1 });
    const unread = asScan(await history.get(failed?.id ?? ""));
    expect(unread?.result.pairs.some((x) => x.status === "error")).toBe(true);
    const { summary } = await scheduledRun();
    // Nothing changed in the world since the complete run: what the failed batch hid is not new.
    expect(summary).toMatchObject({ new: 0, resolved: 0, failedBatches: 0 });
  });
});

describe("the deployment's default: incremental runs", () => {
  it("reads the pair the event rule recorded a change of, carries the rest over, and reports the change", async () => {
    const incremental = await runtimeFromEnv({
      ...process.env,
      ...ENV,
      DRCTL_CONFIG: ENV.DRCTL_CONFIG.replace("  incremental: false", "  fullEvery: 30d"),
    });
    const pair = world.pairs[0] ?? expect.fail("a pair");
    const { standbyRegion } = world.options;
    await incremental.aws.get(ElasticLoadBalancingV2Client, standbyRegion).send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: pair.standbyArn,
        Attributes: [{ Key: "idle_timeout.timeout_seconds", Value: "77" }],
      }),
    );
    // What the change rule's function receives from EventBridge for that call.
    const recorded = await changes(
      incremental,
      apiCallEvent({
        service: "elasticloadbalancing",
        region: standbyRegion,
        account: pair.standbyArn.split(":")[4] ?? "",
        eventName: "ModifyLoadBalancerAttributes",
        time: new Date(),
        requestParameters: {
          loadBalancerArn: pair.standbyArn,
          attributes: [{ key: "idle_timeout.timeout_seconds", value: "77" }],
        },
      }),
    );
    expect(recorded).toMatchObject({ recorded: 1 });
    const { summary } = await scheduledRun(undefined, incremental);
    const stored = asScan(
      await new DynamoDbHistory(incremental.aws, "drctl-history", "us-east-1").get(summary.runId),
    );
    const inc = stored?.result.incremental;
    expect(inc?.reasons).toEqual({ changed: 1 });
    expect(inc?.carriedOver).toBe((stored?.result.pairs.length ?? 0) - 1);
    const read = stored?.result.pairs.find((p) => p.primaryArn === pair.primaryArn);
    expect(read?.evidence).toMatchObject({ read: "read", unchanged: false });
    expect(read?.evidence?.why).toMatch(/^ModifyLoadBalancerAttributes at /);
    expect(summary.new).toBeGreaterThanOrEqual(1);
    // Carried-over pairs keep their findings, each saying when it was read.
    const carried = stored?.result.pairs.filter((p) => p.evidence?.read === "carried-over") ?? [];
    expect(carried.flatMap((p) => p.findings).every((f) => typeof f.evidenceAt === "string")).toBe(true);
  });
});
