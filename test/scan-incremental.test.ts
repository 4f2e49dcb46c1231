/**
 * An incremental scan against the emulator: after each kind of change (an attribute, a listener,
 * a rule, a target registration, a security-group rule, a certificate, a record, a tag), made
 * through the SDK and announced as CloudTrail announces it to EventBridge (the deployment's rule
 * records it in the history), the incremental scan reads the changed pair, for that change, and
 * its findings equal a full scan's. A change whose event is dropped is caught by the rolling sweep
 * within scan.fullEvery. The world is built in eu-central-1 -> ap-southeast-2, names differing.
 */
import {
  AddListenerCertificatesCommand,
  AddTagsCommand,
  CreateRuleCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  RemoveListenerCertificatesCommand,
  DescribeListenerCertificatesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { EC2Client, RevokeSecurityGroupIngressCommand } from "@aws-sdk/client-ec2";
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorld, type World } from "../demo/world/build.js";
import { apiCallEvent, type ApiCall } from "../demo/world/events.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import { changeOfEventBridgeEvent } from "../src/changes/cloudtrail-event.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { SqliteHistory } from "../src/history/sqlite.js";
import { runScan, type IncrementalScan } from "../src/scan/engine.js";
import { useEmulator } from "./harness/emulator.js";

const PRIMARY = "eu-central-1";
const STANDBY = "ap-southeast-2";
const HOUR = 3_600_000;
const env = useEmulator();
let aws: AwsClients;
let world: World;
let history: SqliteHistory;
let account = "";
let last: ScanResult | undefined;
/**
 * The test's clock: each change is stamped at the start of a ten-minute step and scanned six
 * minutes later, beyond the five minutes a change may precede a read and still count (clock skew),
 * so a change counts once, as it would between scans 30 minutes apart.
 */
let step = 0;
const START = Date.now();
const changeTime = () => new Date(START + step * 10 * 60_000);
const scanTime = () => new Date(START + step * 10 * 60_000 + 6 * 60_000);

/** Records the change as the deployment's rule would: the EventBridge event CloudTrail sends for the call. */
async function announce(
  service: ApiCall["service"],
  region: string,
  eventName: string,
  requestParameters: Record<string, unknown>,
  responseElements: Record<string, unknown> | null = null,
): Promise<void> {
  const event = apiCallEvent({
    service,
    region,
    account,
    eventName,
    time: changeTime(),
    requestParameters,
    responseElements,
  });
  const change = changeOfEventBridgeEvent(event);
  expect(change, `${eventName} is a change`).toBeDefined();
  if (change) await history.recordChanges([change]);
}

function scan(
  now: Date,
  incremental?: Omit<IncrementalScan, "signals" | "stateEveryMs">,
): Promise<ScanResult> {
  return runScan(aws, {
    types: RESOURCE_TYPES,
    primaryRegions: [PRIMARY],
    configPairs: [],
    settings: { strategy: "warm-standby", certificateExpiryDays: 30, now },
    suppressions: [],
    concurrency: 4,
    ...(incremental
      ? {
          incremental: {
            ...incremental,
            stateEveryMs: 24 * HOUR,
            signals: async () => [
              {
                source: "event-rule",
                region: "recorded",
                // The test's clock runs ahead of the recording clock: every recorded change, filtered by when it happened.
                changes: await history.changesSince(new Date(0).toISOString()),
              },
            ],
          },
        }
      : {}),
  });
}

/** What a reader of the report sees of each pair: its findings, whenever they were read. */
const verdicts = (r: ScanResult) =>
  r.pairs.map((p) => ({
    pair: p.name,
    status: p.status,
    findings: p.findings.map((f) => `${f.severity} ${f.status} ${f.ruleId} ${f.path} ${f.message}`).sort(),
  }));

/** An incremental scan now (30 days between sweeps: only signals re-read), checked against a full one. */
async function incrementalNow(fullEveryMs = 30 * 24 * HOUR): Promise<ScanResult> {
  const now = scanTime();
  step++;
  const result = await scan(now, { ...(last ? { previous: last } : {}), fullEveryMs });
  const full = await scan(now);
  expect(verdicts(result)).toEqual(verdicts(full));
  last = result;
  return result;
}

/**
 * The pairs read and why: the changed pair, for its change, and any other pair that uses what
 * changed (the standby's certificates are shared by every load balancer there), for the same change.
 */
function expectReadFor(r: ScanResult, pair: string, event: string): void {
  const reasons = readReasons(r);
  expect(reasons[pair]).toMatch(new RegExp(`^${event} at `));
  for (const [other, why] of Object.entries(reasons)) expect(why, other).toMatch(new RegExp(`^${event} at `));
}

const readReasons = (r: ScanResult): Record<string, string> =>
  Object.fromEntries(
    r.pairs.filter((p) => p.evidence?.read === "read").map((p) => [p.name, p.evidence?.why ?? ""]),
  );

const elb = (region: string) => aws.get(ElasticLoadBalancingV2Client, region);
const pairAt = (i: number) => world.pairs[i] ?? expect.fail(`pair ${i}`);

async function listenerOf(arn: string, region: string, port: number): Promise<string> {
  const out = await elb(region).send(new DescribeListenersCommand({ LoadBalancerArn: arn }));
  return out.Listeners?.find((l) => l.Port === port)?.ListenerArn ?? expect.fail(`listener ${port}`);
}

beforeAll(async () => {
  aws = await env.clients();
  world = await buildWorld(aws, {
    pairs: 8,
    primaryRegion: PRIMARY,
    standbyRegion: STANDBY,
    styledSides: "both",
  });
  history = SqliteHistory.open(join(mkdtempSync(join(tmpdir(), "drctl-inc-")), "history.sqlite"));
  account = world.pairs[0]?.primaryArn.split(":")[4] ?? "";
  const first = await scan(scanTime(), { fullEveryMs: 24 * HOUR });
  step++;
  expect(first.incremental?.reasons).toEqual({ "no previous scan": first.pairs.length });
  last = first;
}, 300_000);

describe("an incremental scan reads what changed and equals a full scan", () => {
  it("reads nothing when nothing changed, and says each pair's findings are carried over with their age", async () => {
    const r = await incrementalNow();
    expect(r.incremental?.read).toBe(0);
    expect(r.pairs.every((p) => p.evidence?.read === "carried-over")).toBe(true);
    const carried = r.pairs.flatMap((p) => p.findings).filter((f) => f.status !== "pass");
    expect(carried.length).toBeGreaterThan(0);
    expect(carried.every((f) => typeof f.evidenceAt === "string")).toBe(true);
  });

  it("an attribute: ModifyLoadBalancerAttributes on a standby", async () => {
    const p = pairAt(0);
    const Attributes = [{ Key: "idle_timeout.timeout_seconds", Value: "333" }];
    await elb(STANDBY).send(
      new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: p.standbyArn, Attributes }),
    );
    await announce("elasticloadbalancing", STANDBY, "ModifyLoadBalancerAttributes", {
      loadBalancerArn: p.standbyArn,
      attributes: [{ key: "idle_timeout.timeout_seconds", value: "333" }],
    });
    const r = await incrementalNow();
    expectReadFor(r, p.name, "ModifyLoadBalancerAttributes");
    expect(r.pairs.find((x) => x.name === p.name)?.evidence?.unchanged).toBe(false);
  });

  it("a listener: ModifyListener on a standby's HTTPS listener", async () => {
    const p = pairAt(1);
    const listenerArn = await listenerOf(p.standbyArn, STANDBY, 443);
    await elb(STANDBY).send(
      new ModifyListenerCommand({ ListenerArn: listenerArn, SslPolicy: "ELBSecurityPolicy-2016-08" }),
    );
    await announce("elasticloadbalancing", STANDBY, "ModifyListener", {
      listenerArn,
      sslPolicy: "ELBSecurityPolicy-2016-08",
    });
    const r = await incrementalNow();
    expectReadFor(r, p.name, "ModifyListener");
  });

  it("a rule: CreateRule on a primary's listener", async () => {
    const p = pairAt(2);
    const listenerArn = await listenerOf(p.primaryArn, PRIMARY, 443);
    const groups = await elb(PRIMARY).send(
      new DescribeTargetGroupsCommand({ LoadBalancerArn: p.primaryArn }),
    );
    const TargetGroupArn = groups.TargetGroups?.[0]?.TargetGroupArn ?? expect.fail("a target group");
    const out = await elb(PRIMARY).send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 77,
        Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/promo/*"] } }],
        Actions: [{ Type: "forward", TargetGroupArn }],
      }),
    );
    await announce(
      "elasticloadbalancing",
      PRIMARY,
      "CreateRule",
      { listenerArn, priority: 77, conditions: [{ field: "path-pattern", values: ["/promo/*"] }] },
      { rules: [{ ruleArn: out.Rules?.[0]?.RuleArn }] },
    );
    const r = await incrementalNow();
    expectReadFor(r, p.name, "CreateRule");
  });

  it("a target registration: DeregisterTargets from a primary's group", async () => {
    const p = pairAt(3);
    // The primary's groups hold the web tier (a warm standby's are empty until a failover).
    const groups = await elb(PRIMARY).send(
      new DescribeTargetGroupsCommand({ LoadBalancerArn: p.primaryArn }),
    );
    const registered = await Promise.all(
      (groups.TargetGroups ?? []).map(async (g) => {
        const arn = g.TargetGroupArn ?? "";
        const health = await elb(PRIMARY).send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
        return {
          arn,
          targets: (health.TargetHealthDescriptions ?? []).map((t) => ({ Id: t.Target?.Id ?? "" })),
        };
      }),
    );
    const { arn: targetGroupArn, targets } =
      registered.find((g) => g.targets.length > 0) ?? expect.fail("a target group with targets");
    await elb(PRIMARY).send(
      new DeregisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: targets }),
    );
    await announce("elasticloadbalancing", PRIMARY, "DeregisterTargets", {
      targetGroupArn,
      targets: targets.map((t) => ({ id: t.Id })),
    });
    const r = await incrementalNow();
    expectReadFor(r, p.name, "DeregisterTargets");
  });

  it("a security-group rule: RevokeSecurityGroupIngress on a standby's group", async () => {
    const p = pairAt(4);
    const lb = await elb(STANDBY).send(
      new DescribeLoadBalancersCommand({ LoadBalancerArns: [p.standbyArn] }),
    );
    const groupId = lb.LoadBalancers?.[0]?.SecurityGroups?.[0] ?? expect.fail("a security group");
    await aws.get(EC2Client, STANDBY).send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        ],
      }),
    );
    await announce("ec2", STANDBY, "RevokeSecurityGroupIngress", {
      groupId,
      ipPermissions: {
        items: [
          { ipProtocol: "tcp", fromPort: 443, toPort: 443, ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] } },
        ],
      },
    });
    const r = await incrementalNow();
    expectReadFor(r, p.name, "RevokeSecurityGroupIngress");
  });

  it("a certificate: RemoveListenerCertificates from a standby's listener", async () => {
    const p = pairAt(5);
    const listenerArn = await listenerOf(p.standbyArn, STANDBY, 443);
    const certs = await elb(STANDBY).send(
      new DescribeListenerCertificatesCommand({ ListenerArn: listenerArn }),
    );
    const sni =
      certs.Certificates?.find((c) => !c.IsDefault)?.CertificateArn ?? expect.fail("an SNI certificate");
    await elb(STANDBY).send(
      new RemoveListenerCertificatesCommand({
        ListenerArn: listenerArn,
        Certificates: [{ CertificateArn: sni }],
      }),
    );
    await announce("elasticloadbalancing", STANDBY, "RemoveListenerCertificates", {
      listenerArn,
      certificates: [{ certificateArn: sni }],
    });
    const r = await incrementalNow();
    expectReadFor(r, p.name, "RemoveListenerCertificates");
    // Put back for the tests that follow: the same kind of change, the other way.
    await elb(STANDBY).send(
      new AddListenerCertificatesCommand({
        ListenerArn: listenerArn,
        Certificates: [{ CertificateArn: sni }],
      }),
    );
    await announce("elasticloadbalancing", STANDBY, "AddListenerCertificates", {
      listenerArn,
      certificates: [{ certificateArn: sni }],
    });
    expectReadFor(await incrementalNow(), p.name, "AddListenerCertificates");
  });

  it("a certificate ACM renewed: no API call, ACM's own event names it", async () => {
    const p = pairAt(5);
    const listenerArn = await listenerOf(p.standbyArn, STANDBY, 443);
    const certs = await elb(STANDBY).send(
      new DescribeListenerCertificatesCommand({ ListenerArn: listenerArn }),
    );
    const renewed = certs.Certificates?.[0]?.CertificateArn ?? expect.fail("a certificate");
    // As EventBridge delivers it: source aws.acm, the certificate in resources.
    const change = changeOfEventBridgeEvent({
      version: "0",
      id: "acm-renewal-1",
      "detail-type": "ACM Certificate Available",
      source: "aws.acm",
      account,
      time: changeTime(),
      region: STANDBY,
      resources: [renewed],
      detail: { Action: "RENEWAL", CertificateType: "AMAZON_ISSUED" },
    });
    expect(change).toBeDefined();
    if (change) await history.recordChanges([change]);
    expectReadFor(await incrementalNow(), p.name, "ACMCertificateAvailable");
  });

  it("a record: ChangeResourceRecordSets deletes a record pointing at a pair", async () => {
    const r53 = aws.get(Route53Client, "us-east-1");
    const sets = await r53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: world.hostedZoneId, MaxItems: 300 }),
    );
    const before =
      last?.pairs.flatMap((p) =>
        (p.twins ?? []).filter((t) => t.type === "route53").map((t) => ({ p, t })),
      ) ?? [];
    const target = before[0] ?? expect.fail("a pair with records");
    const recordName = target.t.standby.id.split(" ")[0] ?? "";
    const record =
      sets.ResourceRecordSets?.find((s) => s.Name?.replace(/\.$/, "") === recordName.replace(/\.$/, "")) ??
      expect.fail(`record ${recordName}`);
    await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: world.hostedZoneId,
        ChangeBatch: { Changes: [{ Action: "DELETE", ResourceRecordSet: record }] },
      }),
    );
    await announce("route53", "us-east-1", "ChangeResourceRecordSets", {
      hostedZoneId: world.hostedZoneId.replace(/^\/hostedzone\//, ""),
      changeBatch: {
        changes: [{ action: "DELETE", resourceRecordSet: { name: record.Name, type: record.Type } }],
      },
    });
    const r = await incrementalNow();
    expectReadFor(r, target.p.name, "ChangeResourceRecordSets");
  });

  it("a tag: AddTags on a primary (seen by discovery) and on a standby (seen by its event)", async () => {
    const [p, q] = [pairAt(6), pairAt(7)];
    await elb(PRIMARY).send(
      new AddTagsCommand({ ResourceArns: [p.primaryArn], Tags: [{ Key: "team", Value: "checkout" }] }),
    );
    await elb(STANDBY).send(
      new AddTagsCommand({ ResourceArns: [q.standbyArn], Tags: [{ Key: "team", Value: "search" }] }),
    );
    await announce("elasticloadbalancing", STANDBY, "AddTags", {
      resourceArns: [q.standbyArn],
      tags: [{ key: "team", value: "search" }],
    });
    const r = await incrementalNow();
    const reasons = readReasons(r);
    expect(Object.keys(reasons).sort()).toEqual([p.name, q.name].sort());
    expect(reasons[p.name]).toBe("the primary's tags changed");
    expect(reasons[q.name]).toMatch(/^AddTags at /);
  });
});

describe("a change whose event never came", () => {
  it("stays unseen until the rolling sweep reads its pair, within scan.fullEvery", async () => {
    const p = pairAt(0);
    await elb(STANDBY).send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: p.standbyArn,
        Attributes: [{ Key: "idle_timeout.timeout_seconds", Value: "61" }],
      }),
    );
    const now = scanTime();
    const missed = await scan(now, { ...(last ? { previous: last } : {}), fullEveryMs: 24 * HOUR });
    const carried = missed.pairs.find((x) => x.name === p.name);
    // Unless this very run is the pair's sweep moment, the change is not seen yet: that is the gap the sweep closes.
    if (carried?.evidence?.read === "carried-over")
      expect(verdicts(missed)).not.toEqual(verdicts(await scan(now)));
    // Runs every 30 minutes for a day: the sweep reads the pair in one of them, and then it equals a full scan.
    let previous = missed;
    let found: ScanResult | undefined;
    for (let t = 30 * 60_000; t <= 24 * HOUR && !found; t += 30 * 60_000) {
      const at = new Date(now.getTime() + t);
      const r = await scan(at, { previous, fullEveryMs: 24 * HOUR });
      const read = r.pairs.find((x) => x.name === p.name)?.evidence;
      if (read?.read === "read") {
        expect(read.why).toMatch(/^rolling sweep/);
        expect(verdicts(r)).toEqual(verdicts(await scan(at)));
        found = r;
      }
      previous = r;
    }
    expect(found, "the sweep read the pair within a day").toBeDefined();
  }, 600_000);
});
