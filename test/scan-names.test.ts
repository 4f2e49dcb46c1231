/**
 * A world where the standby's resources have names of their own, in the styles real accounts use
 * (app-p / app-s, use1 / usw2, blue / green, a dr- prefix, names that share nothing), with
 * references between resources changed on purpose. Twins are compared by meaning through the
 * pair: pairs identical in meaning report nothing, and each planted difference is reported once.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { ChangeResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorld, type World, type WorldPair } from "../demo/world/build.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import type { Finding } from "../src/core/finding.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan, type ScanOptions } from "../src/scan/engine.js";
import { useEmulator } from "./harness/emulator.js";
import { FaultProxy, NO_FAULTS } from "./harness/fault-proxy.js";
import { RESOURCE_TYPES } from "../src/catalog.js";

const env = useEmulator();
const [PRIMARY, STANDBY] = ["us-east-1", "us-west-2"];
let aws: AwsClients;
let world: World;
let result: ScanResult;
/** The pairs whose references the test changes (the others are as the world built them). */
const CHANGED = [7, 8, 9, 10, 11];

const options = (): ScanOptions => ({
  types: RESOURCE_TYPES,
  primaryRegions: [PRIMARY],
  configPairs: [],
  settings: { strategy: "pilot-light", certificateExpiryDays: 30, now: new Date() },
  suppressions: [],
  concurrency: 8,
});
const pair = (index: number): WorldPair => {
  const p = world.pairs.find((x) => x.index === index);
  if (!p) throw new Error(`no pair ${index}`);
  return p;
};
const live = (r: ScanResult, name: string): Finding[] =>
  r.pairs
    .find((p) => p.name === name)
    ?.findings.filter((f) => f.status !== "pass" && f.severity !== "info") ?? [];
const lines = (fs: Finding[]) =>
  fs.map((f) => `${f.ruleId} ${f.path}${f.consequenceOf ? ` <- ${f.consequenceOf.ruleId}` : ""}`).sort();

const elb = (region: string) => aws.get(ElasticLoadBalancingV2Client, region);
const ec2 = (region: string) => aws.get(EC2Client, region);

async function standbyGroups(p: WorldPair) {
  const out = await elb(STANDBY).send(new DescribeTargetGroupsCommand({ LoadBalancerArn: p.standbyArn }));
  const byWord = (word: string) => out.TargetGroups?.find((t) => t.TargetGroupName?.endsWith(`-${word}`));
  return { app: byWord("app"), api: byWord("api"), vpcId: out.TargetGroups?.[0]?.VpcId ?? "" };
}

async function standbyRule(p: WorldPair, priority: string) {
  const listeners = await elb(STANDBY).send(new DescribeListenersCommand({ LoadBalancerArn: p.standbyArn }));
  const secure = listeners.Listeners?.find((l) => l.Port === 443);
  const rules = await elb(STANDBY).send(new DescribeRulesCommand({ ListenerArn: secure?.ListenerArn }));
  return { listener: secure, rule: rules.Rules?.find((r) => r.Priority === priority) };
}

async function newGroup(name: string, vpcId: string, port: number) {
  const out = await elb(STANDBY).send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: "HTTP",
      Port: port,
      VpcId: vpcId,
      TargetType: "instance",
    }),
  );
  return out.TargetGroups?.[0]?.TargetGroupArn ?? "";
}

/** A security group's egress to another group: revoke one reference, authorize another. */
async function egressTo(region: string, groupId: string, from: string | undefined, to: string) {
  // The rule exactly as the group holds it (the emulator matches every field, description included).
  if (from) {
    const held = (
      await ec2(region).send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))
    ).SecurityGroups?.[0]?.IpPermissionsEgress?.filter((p) =>
      p.UserIdGroupPairs?.some((g) => g.GroupId === from),
    );
    await ec2(region).send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: held }));
  }
  await ec2(region).send(
    new AuthorizeSecurityGroupEgressCommand({
      GroupId: groupId,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 8080, ToPort: 8081, UserIdGroupPairs: [{ GroupId: to }] },
      ],
    }),
  );
}

async function lbGroupId(region: string, arn: string) {
  const out = await elb(region).send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }));
  return out.LoadBalancers?.[0]?.SecurityGroups?.[0] ?? "";
}

async function groupNamed(region: string, name: string) {
  const out = await ec2(region).send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: [name] }] }),
  );
  return out.SecurityGroups?.[0];
}

async function createGroup(region: string, name: string, vpcId: string) {
  const out = await ec2(region).send(
    new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }),
  );
  return out.GroupId ?? "";
}

beforeAll(async () => {
  aws = await env.clients();
  world = await buildWorld(aws, { pairs: 20, styledSides: "both" });

  // Pair 1: both load balancers also reach a group with a 255-character name that differs only in
  // its region code: still identical in meaning.
  const long = (tag: string) => `${"x".repeat(250)}-${tag}`;
  for (const [region, arn, tag] of [
    [PRIMARY, pair(1).primaryArn, "use1"],
    [STANDBY, pair(1).standbyArn, "usw2"],
  ] as const) {
    const own = await lbGroupId(region, arn);
    const vpcId =
      (await ec2(region).send(new DescribeSecurityGroupsCommand({ GroupIds: [own] }))).SecurityGroups?.[0]
        ?.VpcId ?? "";
    await egressTo(region, own, undefined, await createGroup(region, long(tag), vpcId));
  }

  // Pair 7: the standby's default action forwards to the other (api) group: one change, one finding.
  {
    const { api } = await standbyGroups(pair(7));
    const { listener } = await standbyRule(pair(7), "10");
    await elb(STANDBY).send(
      new ModifyListenerCommand({
        ListenerArn: listener?.ListenerArn,
        DefaultActions: [{ Type: "forward", TargetGroupArn: api?.TargetGroupArn }],
      }),
    );
  }
  // Pair 8: the standby's rule 10 forwards to a group only the standby has.
  {
    const { vpcId } = await standbyGroups(pair(8));
    const extra = await newGroup(`${pair(8).standbyName}-extra`, vpcId, 9000);
    const { rule } = await standbyRule(pair(8), "10");
    await elb(STANDBY).send(
      new ModifyRuleCommand({
        RuleArn: rule?.RuleArn,
        Actions: [{ Type: "forward", TargetGroupArn: extra }],
      }),
    );
  }
  // Pair 9: the standby load balancer's group reaches a cache group instead of the application's.
  {
    const own = await lbGroupId(STANDBY, pair(9).standbyArn);
    const app = await groupNamed(STANDBY, "app-usw2");
    const cache = await createGroup(STANDBY, "cache-usw2", app?.VpcId ?? "");
    await egressTo(STANDBY, own, app?.GroupId, cache);
  }
  // Pair 10: the SECONDARY failover record points at a load balancer of no pair.
  {
    const existing = await elb(STANDBY).send(
      new DescribeLoadBalancersCommand({ LoadBalancerArns: [pair(10).standbyArn] }),
    );
    const zones = existing.LoadBalancers?.[0]?.AvailabilityZones?.map((z) => z.SubnetId ?? "") ?? [];
    const stray = await elb(STANDBY).send(new CreateLoadBalancerCommand({ Name: "stray", Subnets: zones }));
    const lb = stray.LoadBalancers?.[0];
    await aws.get(Route53Client, PRIMARY).send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: world.hostedZoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: "UPSERT",
              ResourceRecordSet: {
                Name: `${pair(10).name}.example.com`,
                Type: "A",
                SetIdentifier: `${pair(10).name}-secondary`,
                Failover: "SECONDARY",
                AliasTarget: {
                  DNSName: lb?.DNSName ?? "",
                  HostedZoneId: lb?.CanonicalHostedZoneId ?? "",
                  EvaluateTargetHealth: true,
                },
              },
            },
          ],
        },
      }),
    );
  }
  // Pair 11: the standby's rule 10 splits traffic between two new groups (the old one deleted),
  // either of which could be the primary's api group (blue / green): drctl says so and does not guess.
  {
    const { vpcId, api } = await standbyGroups(pair(11));
    const blue = await newGroup(`${pair(11).standbyName}-api-blue`, vpcId, 8081);
    const green = await newGroup(`${pair(11).standbyName}-api-green`, vpcId, 8081);
    const { rule } = await standbyRule(pair(11), "10");
    await elb(STANDBY).send(
      new ModifyRuleCommand({
        RuleArn: rule?.RuleArn,
        Actions: [
          {
            Type: "forward",
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: blue, Weight: 50 },
                { TargetGroupArn: green, Weight: 50 },
              ],
            },
          },
        ],
      }),
    );
    await elb(STANDBY).send(new DeleteTargetGroupCommand({ TargetGroupArn: api?.TargetGroupArn }));
  }
  result = await runScan(aws, options());
});

describe("twins whose names differ between regions", () => {
  it("names every style of standby differently", () => {
    expect(world.pairs.slice(0, 7).map((p) => `${p.name} ${p.standbyName}`)).toEqual([
      "web-001 web-001",
      "web-002-p web-002-s",
      "web-003-use1 web-003-usw2",
      "web-004-blue web-004-green",
      "web-005 dr-web-005",
      "web-006 q6x",
      "web-007 web-007-dr",
    ]);
  });

  it("reports nothing on pairs identical in meaning, whatever their names", () => {
    const clean = world.pairs.filter((x) => x.plants.length === 0 && !CHANGED.includes(x.index));
    // Every naming style, application and network load balancers.
    expect(new Set(clean.map((p) => p.naming))).toEqual(
      new Set(["same", "role-suffix", "region-code", "colour", "dr-prefix", "unrelated"]),
    );
    for (const p of clean) expect(lines(live(result, p.name)), p.name).toEqual([]);
  });

  it("reports each planted difference exactly once, with its rule and severity", () => {
    for (const p of world.pairs.filter((x) => x.plants.length > 0)) {
      const expected = world.plants
        .filter((x) => x.pair === p.name)
        .map((x) => `${x.expect.ruleId} ${x.expect.severity} ${x.expect.path}`)
        .sort();
      expect(
        live(result, p.name)
          .map((f) => `${f.ruleId} ${f.severity} ${f.path}`)
          .sort(),
        p.name,
      ).toEqual(expected);
    }
  });

  it("shows how each twin was found, through the pair first", () => {
    const twins = (index: number, type: string) =>
      (result.pairs.find((p) => p.name === pair(index).name)?.twins ?? [])
        .filter((t) => t.type === type)
        .map((t) => `${t.primary.name}=${t.standby.name} ${t.method}${t.via ? ` (${t.via})` : ""}`)
        .sort();
    // Names that share nothing: only the listener positions tell which group is which.
    expect(twins(6, "target-group")).toEqual([
      "web-006-api=q6x-back pair (port 443 default action)",
      "web-006-app=q6x-front pair (port 80 default action)",
    ]);
    expect(twins(20, "security-group")).toEqual([
      "app=app-usw2 pair (egress tcp 8080-8081)",
      "web-020-lb=q20x-lb pair (the load balancer's security group)",
    ]);
    expect(twins(20, "route53")).toEqual([
      "web-020.use1.example.com A=q20x.usw2.example.com A normalized-name",
    ]);
    expect(twins(1, "security-group")).toContain(
      `${"x".repeat(250)}-use1=${"x".repeat(250)}-usw2 normalized-name`,
    );
  });
});

describe("references that changed", () => {
  it("reports a default action moved to the other group once, naming both groups", () => {
    const found = live(result, pair(7).name);
    expect(lines(found)).toEqual(["listener.default-actions listeners[443].defaultActions"]);
    expect(found[0]?.message).toBe(
      "port 443: the standby forwards to web-007-dr-api (twin of web-007-api); the primary forwards to web-007-app (twin of web-007-dr-app)",
    );
  });

  it("reports a group only the standby has as the cause, and the rule that uses it as its consequence", () => {
    const found = live(result, pair(8).name);
    expect(lines(found)).toEqual([
      "listener.rule-actions listeners[443].rules[10].actions <- target-group.missing",
      "target-group.missing targetGroups[web-008-extra]",
    ]);
    expect(found.find((f) => f.ruleId === "target-group.missing")?.message).toBe(
      "the standby's target group web-008-extra has no twin on the primary (used by port 443 rule 10)",
    );
    // Counted once: the consequence goes with its cause.
    expect(result.pairs.find((p) => p.name === pair(8).name)?.counts.high).toBe(1);
  });

  it("reports a security group reference whose group has no twin, and the rule the standby lacks", () => {
    const found = live(result, pair(9).name);
    expect(lines(found)).toEqual([
      "security-group.egress egress[tcp 8080-8081 sg:app]",
      "security-group.egress egress[tcp 8080-8081 sg:cache-usw2] <- security-group.missing",
      "security-group.missing securityGroups[cache-usw2]",
    ]);
    expect(found.find((f) => f.path === "egress[tcp 8080-8081 sg:app]")?.message).toBe(
      "the standby lacks the outbound rule tcp 8080-8081 to security group app (twin of app-usw2) that the primary has",
    );
  });

  it("names the load balancer a wrong failover record points at", () => {
    const found = live(result, pair(10).name);
    expect(lines(found)).toEqual([
      `route53.failover-targets failover[${pair(10).name}.example.com A].SECONDARY`,
    ]);
    expect(found[0]?.message).toMatch(
      new RegExp(
        `^the SECONDARY failover record ${pair(10).name}.example.com \\(A\\) points at load balancer stray, which is not part of this pair \\(stray-[^ ]+\\.us-west-2\\.elb\\.amazonaws\\.com\\), not at the standby load balancer$`,
      ),
    );
  });

  it("reports two candidate twins as ambiguous and never guesses", () => {
    const found = live(result, pair(11).name);
    expect(lines(found)).toEqual([
      "listener.rule-actions listeners[443].rules[10].actions <- target-group.ambiguous-twin",
      "target-group.ambiguous-twin targetGroups[web-011-blue-api]",
    ]);
    expect(found.find((f) => f.ruleId === "target-group.ambiguous-twin")?.secondary).toEqual(
      expect.arrayContaining(["web-011-green-api-blue", "web-011-green-api-green"]),
    );
  });

  it("reports a group that disappeared between two reads on its pair, and leaves the rest of the scan as it was", async () => {
    // Pair 2's standby api group is listed, then not found when its attributes are read: deleted
    // while the scan ran.
    const gone = (await standbyGroups(pair(2))).api?.TargetGroupArn ?? "";
    const proxy = await FaultProxy.start(env.emulator.endpoint, {
      ...NO_FAULTS,
      fail: ({ body }) =>
        body.includes("Action=DescribeTargetGroupAttributes") && body.includes(encodeURIComponent(gone))
          ? { status: 400, code: "TargetGroupNotFound", message: `Target groups '${gone}' not found` }
          : undefined,
    });
    try {
      const again = await runScan(await env.clients({ endpointUrl: proxy.endpoint }), options());
      const p2 = live(again, pair(2).name);
      expect(p2.find((f) => f.ruleId === "target-group.not-found")?.message).toBe(
        "the standby's port 443 rule 10 forwards to target group web-002-s-api, which does not exist",
      );
      expect(again.pairs.find((p) => p.name === pair(2).name)?.status).toBe("missing");
      for (const p of world.pairs.filter((x) => x.index !== 2))
        expect(lines(live(again, p.name)), p.name).toEqual(lines(live(result, p.name)));
    } finally {
      await proxy.stop();
    }
  });
});
