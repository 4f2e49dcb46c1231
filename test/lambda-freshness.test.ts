/**
 * The scheduled deployment's freshness step, its handler run in process against the emulator:
 * the run is measured, stored in the DynamoDB history beside the scans, each store's exposure is
 * put into CloudWatch (namespace drctl, dimensions application and store) and read back the way
 * an alarm would read it, and the notify step sends it, or refuses to when reads failed.
 */
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { GetSendQuotaCommand, SESClient } from "@aws-sdk/client-ses";
import { CreateEmailIdentityCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { beforeAll, afterAll, describe, expect, it } from "vitest";
import { buildDataStores, type DataStores } from "../demo/world/data.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { FRESHNESS_SCHEMA_VERSION, type FreshnessResult } from "../src/core/freshness-result.js";
import { freshnessDatums, putFreshnessMetrics } from "../src/freshness/put-metrics.js";
import { freshness, notify, plans } from "../src/lambda/handlers.js";
import { runtimeFromEnv, type Runtime } from "../src/lambda/runtime.js";
import { DynamoDbHistory } from "../src/history/dynamodb.js";
import { AwsBehaviour } from "./harness/aws-behaviour.js";
import { useEmulator } from "./harness/emulator.js";
import { FaultProxy, NO_FAULTS } from "./harness/fault-proxy.js";

const env = useEmulator();
const [P, S] = ["us-east-1", "us-west-2"];
let aws: AwsClients;
let proxy: FaultProxy;
let stores: DataStores;

const config = (endpoint: string, extra = "") => `regions: { primary: ${P}, standby: ${S} }
endpointUrl: ${endpoint}
rpo: 15m
notify:
  when: always
  email:
    from: drctl@example.com
    to: [dr-oncall@example.com]
    transport: ses
    ses: { region: ${P} }
${extra}`;

const runtime = (endpoint: string, extra = ""): Promise<Runtime> =>
  runtimeFromEnv({
    ...process.env,
    DRCTL_CONFIG: config(endpoint, extra),
    DRCTL_STORE: `dynamodb://drctl-history?region=${P}`,
    DRCTL_RESULTS: "s3://unused/work",
    AWS_REGION: P,
  });

/** The newest value of a drctl metric, read as an alarm reads it (dimensions in the order put). */
async function newest(metric: string, store: string, application = "none"): Promise<number | undefined> {
  const out = await aws.get(CloudWatchClient, P).send(
    new GetMetricDataCommand({
      StartTime: new Date(Date.now() - 3600_000),
      EndTime: new Date(Date.now() + 60_000),
      MetricDataQueries: [
        {
          Id: "m",
          MetricStat: {
            Metric: {
              Namespace: "drctl",
              MetricName: metric,
              Dimensions: [
                { Name: "application", Value: application },
                { Name: "store", Value: store },
              ],
            },
            Period: 60,
            Stat: "Maximum",
          },
        },
      ],
    }),
  );
  return out.MetricDataResults?.[0]?.Values?.[0];
}

beforeAll(async () => {
  aws = await env.clients();
  const behaviour = new AwsBehaviour(aws);
  proxy = await behaviour.proxy(env.emulator.endpoint);
  const through = await env.clients({ endpointUrl: proxy.endpoint });
  stores = await buildDataStores(through, behaviour, { primaryRegion: P, standbyRegion: S });
  await DynamoDbHistory.createTable(aws, "drctl-history", P);
  await aws.get(SESv2Client, P).send(new CreateEmailIdentityCommand({ EmailIdentity: "drctl@example.com" }));
});

afterAll(async () => {
  await proxy.stop();
});

describe("the scheduled freshness step", () => {
  it("stores the run, puts each store's exposure into CloudWatch and emails it", async () => {
    const rt = await runtime(proxy.endpoint);
    const summary = await freshness(rt);
    expect(summary).toMatchObject({ stores: 5, unread: 0 });
    expect(summary.runId).toMatch(/^\d{8}T\d{6}Z-/);
    // ok: the global table; breach: the bucket 40 minutes behind; unprotected: three stores.
    expect(summary.notOk).toBe(4);
    // Three metrics a measured store, two for one without an exposure.
    expect(summary.metrics).toBeGreaterThanOrEqual(2 * 5);

    const history = new DynamoDbHistory(rt.aws, "drctl-history", P);
    const stored = await history.get(summary.runId ?? "");
    expect(stored?.kind).toBe("freshness");

    expect(await newest("ExposureSeconds", stores.replicatedBucket)).toBe(2400);
    expect(await newest("RpoBreached", stores.replicatedBucket)).toBe(1);
    expect(await newest("RpoBreached", stores.replicatedTable)).toBe(0);
    expect(await newest("Unmeasured", stores.replicatedTable)).toBe(0);
    expect(await newest("RpoBreached", "audit-log")).toBe(1);

    const before = (await aws.get(SESClient, P).send(new GetSendQuotaCommand({}))).SentLast24Hours ?? 0;
    const sent = await notify(rt, { runId: summary.runId ?? "" });
    expect(sent.deliveries).toEqual([expect.objectContaining({ channel: "email (SES)", ok: true })]);
    const after = (await aws.get(SESClient, P).send(new GetSendQuotaCommand({}))).SentLast24Hours ?? 0;
    expect(after).toBeGreaterThan(before);
  });

  it("stores a run that could not read everything and puts its metrics, but notify sends nothing for it", async () => {
    // dynamodb:ListTables is denied: no table can be found, and the run says so.
    const denying = await FaultProxy.start(proxy.endpoint, {
      ...NO_FAULTS,
      deny: ({ target }) => target === "DynamoDB_20120810.ListTables",
    });
    try {
      const rt = await runtime(denying.endpoint);
      const summary = await freshness(rt);
      expect(summary.unread).toBeGreaterThan(0);
      expect(summary.runId).not.toBeNull();
      await expect(notify(rt, { runId: summary.runId ?? "" })).rejects.toThrow(
        /^freshness run \S+ could not read everything \(.*access denied.*\); it is stored, and nothing was sent$/i,
      );
    } finally {
      await denying.stop();
    }
  });

  it("compares the next run with the newest one that read everything, not the one that could not", async () => {
    const rt = await runtime(proxy.endpoint);
    const onChange = {
      ...rt,
      config: { ...rt.config, notify: { ...rt.config.notify, when: "on-change" as const } },
    };
    const summary = await freshness(onChange);
    expect(summary.unread).toBe(0);
    // Nothing changed since the first run; against the run that could not list the tables, they
    // would have come back as new stores, and an email would have gone out.
    const sent = await notify(onChange, { runId: summary.runId ?? "" });
    expect(sent.deliveries).toEqual([]);
  });

  it("measures nothing with freshness.scheduled: false", async () => {
    const rt = await runtime(proxy.endpoint, "freshness:\n  scheduled: false\n");
    expect(await freshness(rt)).toEqual({ runId: null, stores: 0, notOk: 0, unread: 0, metrics: 0 });
  });

  it("fails, never reports clean, when it finds no data store at all", async () => {
    const rt = await runtime(proxy.endpoint, "").then((r) => ({
      ...r,
      config: { ...r.config, regions: { ...r.config.regions, primary: ["eu-north-1"] } },
    }));
    await expect(freshness(rt)).rejects.toThrow(
      /^no data store found in eu-north-1 .*freshness\.scheduled: false/,
    );
  });
});

describe("the scheduled plan step", () => {
  it("writes and stores each application's plan from the freshness run just stored", async () => {
    const rt = await runtime(
      proxy.endpoint,
      `applications:\n  - name: shop\n    rto: 30m\n    arns: ["arn:aws:dynamodb:*:*:table/orders", "arn:aws:s3:::app-assets-*"]\n`,
    );
    const measured = await freshness(rt);
    const written = await plans(rt);
    expect(written.plans).toEqual([
      {
        application: "shop",
        id: expect.stringMatching(/^\d{8}T/) as unknown,
        risks: expect.any(Number) as unknown,
      },
    ]);
    const stored = await new DynamoDbHistory(rt.aws, "drctl-history", P).get(written.plans[0]?.id ?? "");
    if (stored?.kind !== "plan") throw new Error("no stored plan");
    expect(stored.result.dataStores.map((d) => d.store).sort()).toEqual(
      [stores.replicatedBucket, stores.replicatedTable].sort(),
    );
    expect(stored.result.dataStores.every((d) => d.evidence === measured.runId)).toBe(true);
    expect(stored.result.risks.map((r) => r.key)).toEqual(
      expect.arrayContaining(["no-scan", "no-drill", "failover-runbook"]),
    );
  });
});

describe("putting freshness metrics", () => {
  it("puts the metrics of 400 stores in two calls, every one readable, with stores of one name kept apart", async () => {
    const store = (i: number) => ({
      kind: i % 2 === 0 ? "dynamodb-global-table" : "s3-replication",
      store: i < 2 ? "shared-name" : `store-${i}`,
      application: "bench",
      primaryArn: `arn:aws:dynamodb:${P}:123456789012:table/store-${i}`,
      primaryRegion: P,
      standbyArn: null,
      standbyRegion: S,
      status: "ok" as const,
      exposureSeconds: i,
      rpoSeconds: 900,
      measuredBy: "test",
      message: "",
      evidence: [],
    });
    const result: FreshnessResult = {
      version: FRESHNESS_SCHEMA_VERSION,
      generatedAt: new Date().toISOString(),
      rpoSeconds: 900,
      stores: Array.from({ length: 400 }, (_, i) => store(i)),
      findings: [],
      stats: { stores: 400, durationMs: 0, calls: {}, retries: 0 },
    };
    const put = await putFreshnessMetrics(aws, P, result);
    expect(put).toEqual({ metrics: 1200, calls: 2, namespace: "drctl", region: P });
    expect(await newest("ExposureSeconds", "store-399", "bench")).toBe(399);
    const names = new Set(freshnessDatums(result).map((d) => d.Dimensions?.[1]?.Value));
    expect(names).toContain(`shared-name (dynamodb-global-table, ${P})`);
    expect(names).toContain(`shared-name (s3-replication, ${P})`);
    expect(await newest("ExposureSeconds", `shared-name (s3-replication, ${P})`, "bench")).toBe(1);
  });
});
