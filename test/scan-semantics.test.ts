/**
 * The differences a naive load-balancer comparison misses or invents, each
 * on a pair of its own, scanned once.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateManagedPrefixListCommand,
  CreateSecurityGroupCommand,
  EC2Client,
  type IpPermission,
} from "@aws-sdk/client-ec2";
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  type Action,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  ChangeResourceRecordSetsCommand,
  CreateHealthCheckCommand,
  CreateHostedZoneCommand,
  Route53Client,
  type Change,
} from "@aws-sdk/client-route-53";
import { ACMClient } from "@aws-sdk/client-acm";
import { beforeAll, describe, expect, it } from "vitest";
import { importCertificate, makeCertificate } from "../demo/world/certificates.js";
import { buildNetwork, type Network } from "../demo/world/network.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runScan } from "../src/scan/engine.js";
import type { ScanResult } from "../src/core/scan-result.js";
import type { Finding } from "../src/core/finding.js";
import { useEmulator } from "./harness/emulator.js";
import { RESOURCE_TYPES } from "../src/catalog.js";

const env = useEmulator();
let aws: AwsClients;
let result: ScanResult;
const REGIONS = { primary: "us-east-1", standby: "us-west-2" } as const;
type Role = keyof typeof REGIONS;
const net: Partial<Record<Role, Network>> = {};
const dns: Record<string, string> = {};

const elb = (role: Role) => aws.get(ElasticLoadBalancingV2Client, REGIONS[role]);
const ec2 = (role: Role) => aws.get(EC2Client, REGIONS[role]);

async function loadBalancer(
  role: Role,
  name: string,
  type: "application" | "network" = "application",
  securityGroups?: string[],
) {
  const out = await elb(role).send(
    new CreateLoadBalancerCommand({
      Name: name,
      Type: type,
      Subnets: net[role]?.subnetIds,
      ...(securityGroups ? { SecurityGroups: securityGroups } : {}),
    }),
  );
  const lb = out.LoadBalancers?.[0];
  dns[`${role}:${name}`] = lb?.DNSName ?? "";
  return { arn: lb?.LoadBalancerArn ?? "", dns: lb?.DNSName ?? "", zone: lb?.CanonicalHostedZoneId ?? "" };
}

async function targetGroup(
  role: Role,
  name: string,
  extra: Partial<ConstructorParameters<typeof CreateTargetGroupCommand>[0]> = {},
) {
  const out = await elb(role).send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: "HTTP",
      Port: 80,
      VpcId: net[role]?.vpcId,
      ...extra,
    }),
  );
  return out.TargetGroups?.[0]?.TargetGroupArn ?? "";
}

async function listener(
  role: Role,
  lbArn: string,
  port: number,
  protocol: string,
  actions: Action[],
  certificateArn?: string,
) {
  const out = await elb(role).send(
    new CreateListenerCommand({
      LoadBalancerArn: lbArn,
      Port: port,
      Protocol: protocol as "HTTP",
      DefaultActions: actions,
      ...(certificateArn ? { Certificates: [{ CertificateArn: certificateArn }] } : {}),
    }),
  );
  return out.Listeners?.[0]?.ListenerArn ?? "";
}

async function pair(name: string, build: (role: Role) => Promise<{ arn: string }>) {
  const standby = await build("standby");
  const primary = await build("primary");
  await elb("primary").send(
    new AddTagsCommand({
      ResourceArns: [primary.arn],
      Tags: [
        { Key: "enable", Value: "true" },
        { Key: "isPrimary", Value: "true" },
        { Key: "secondaryARN", Value: standby.arn },
      ],
    }),
  );
  return name;
}

async function securityGroup(role: Role, name: string, ingress: IpPermission[]) {
  const sg = await ec2(role).send(
    new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: net[role]?.vpcId }),
  );
  if (ingress.length > 0)
    await ec2(role).send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: sg.GroupId, IpPermissions: ingress }),
    );
  return sg.GroupId ?? "";
}

const forward = (arn: string): Action[] => [{ Type: "forward", TargetGroupArn: arn }];
const findings = (pairName: string): Finding[] =>
  result.pairs.find((p) => p.name === pairName)?.findings.filter((f) => f.status !== "pass") ?? [];
const rules = (pairName: string) =>
  findings(pairName)
    .map((f) => `${f.ruleId} ${f.path}`)
    .sort();

beforeAll(async () => {
  aws = await env.clients();
  net.primary = await buildNetwork(ec2("primary"), REGIONS.primary, "10.0");
  net.standby = await buildNetwork(ec2("standby"), REGIONS.standby, "10.1");
  const certs: Record<Role, { wide: string; narrow: string }> = {
    primary: { wide: "", narrow: "" },
    standby: { wide: "", narrow: "" },
  };
  const wide = makeCertificate(
    {
      commonName: "shop.example.com",
      subjectAlternativeNames: ["shop.example.com", "www.shop.example.com"],
      validDays: 200,
    },
    11,
  );
  const narrow = makeCertificate(
    { commonName: "shop.example.com", subjectAlternativeNames: ["shop.example.com"], validDays: 200 },
    12,
  );
  const sni = makeCertificate(
    { commonName: "api.example.com", subjectAlternativeNames: ["api.example.com"], validDays: 200 },
    13,
  );
  for (const role of ["primary", "standby"] as const) {
    const acm = aws.get(ACMClient, REGIONS[role]);
    certs[role] = {
      wide: await importCertificate(acm, wide, "wide"),
      narrow: await importCertificate(acm, narrow, "narrow"),
    };
  }
  const primarySni = await importCertificate(aws.get(ACMClient, REGIONS.primary), sni, "api");

  // Listener ports and protocols swapped: as sets, {80,443} and {HTTP,HTTPS} are equal on both sides.
  await pair("swapped", async (role) => {
    const lb = await loadBalancer(role, "swapped");
    const tg = await targetGroup(role, "swapped-tg");
    await listener(
      role,
      lb.arn,
      80,
      role === "primary" ? "HTTP" : "HTTPS",
      forward(tg),
      role === "standby" ? certs.standby.wide : undefined,
    );
    await listener(
      role,
      lb.arn,
      443,
      role === "primary" ? "HTTPS" : "HTTP",
      forward(tg),
      role === "primary" ? certs.primary.wide : undefined,
    );
    return lb;
  });
  // Default action and ALPN differ; the original compared neither.
  await pair("actions", async (role) => {
    const lb = await loadBalancer(role, "actions");
    const tg = await targetGroup(role, "actions-tg");
    await listener(
      role,
      lb.arn,
      80,
      "HTTP",
      role === "primary"
        ? forward(tg)
        : [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "503" } }],
    );
    return lb;
  });
  // ALPN differs on a TLS listener of a network load balancer.
  await pair("alpn", async (role) => {
    const lb = await loadBalancer(role, "alpn", "network");
    const tg = await targetGroup(role, "alpn-tg", { Protocol: "TCP", Port: 443 });
    await elb(role).send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.arn,
        Port: 443,
        Protocol: "TLS",
        Certificates: [{ CertificateArn: certs[role].wide }],
        AlpnPolicy: [role === "primary" ? "HTTP2Preferred" : "HTTP1Only"],
        DefaultActions: forward(tg),
      }),
    );
    return lb;
  });
  // Several identical target groups per side, created in a different order: no false difference.
  // One group is a Lambda target group (which crashed the original), one differs in its matcher.
  await pair("groups", async (role) => {
    const lb = await loadBalancer(role, "groups");
    const names =
      role === "primary" ? ["groups-a", "groups-b", "groups-c"] : ["groups-c", "groups-b", "groups-a"];
    const tgs: Record<string, string> = {};
    for (const n of names)
      tgs[n] = await targetGroup(role, n, {
        Matcher: { HttpCode: n === "groups-c" && role === "standby" ? "200-299" : "200" },
      });
    const fn = await targetGroup(role, "groups-fn", {
      TargetType: "lambda",
      Protocol: undefined,
      Port: undefined,
      VpcId: undefined,
    });
    const l = await listener(role, lb.arn, 80, "HTTP", forward(tgs["groups-a"] ?? ""));
    const rules = [
      {
        Priority: 5,
        Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/b/*"] } }],
        Actions: forward(tgs["groups-b"] ?? ""),
      },
      {
        Priority: 6,
        Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/c/*"] } }],
        Actions: forward(tgs["groups-c"] ?? ""),
      },
      {
        Priority: 7,
        Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/fn/*"] } }],
        Actions: forward(fn),
      },
    ];
    for (const r of role === "primary" ? rules : [...rules].reverse())
      await elb(role).send(new CreateRuleCommand({ ListenerArn: l, ...r }));
    return lb;
  });
  // Security groups: full rule semantics. The standby's group has no rules at all, which hid
  // every difference from the original; a second pair differs only in a to-port.
  const rulesFor = (role: Role, pl: string): IpPermission[] => [
    {
      IpProtocol: "tcp",
      FromPort: 443,
      ToPort: 443,
      IpRanges: [{ CidrIp: "0.0.0.0/0" }],
      Ipv6Ranges: [{ CidrIpv6: "::/0" }],
    },
    { IpProtocol: "tcp", FromPort: 8443, ToPort: 8443, PrefixListIds: [{ PrefixListId: pl }] },
    {
      IpProtocol: "-1",
      IpRanges: [
        { CidrIp: role === "primary" ? "10.0.0.0/16" : "10.1.0.0/16", Description: `the ${role} VPC` },
      ],
    },
  ];
  const prefixLists: Record<Role, string> = { primary: "", standby: "" };
  for (const role of ["primary", "standby"] as const) {
    const pl = await ec2(role).send(
      new CreateManagedPrefixListCommand({
        PrefixListName: "corp-vpn",
        AddressFamily: "IPv4",
        MaxEntries: 5,
        Entries: [{ Cidr: "192.0.2.0/24" }],
      }),
    );
    prefixLists[role] = pl.PrefixList?.PrefixListId ?? "";
  }
  await pair("sg-empty", async (role) =>
    loadBalancer(role, "sg-empty", "application", [
      await securityGroup(role, "sg-empty", role === "primary" ? rulesFor(role, prefixLists[role]) : []),
    ]),
  );
  await pair("sg-same", async (role) =>
    loadBalancer(role, "sg-same", "application", [
      await securityGroup(role, "sg-same", [...rulesFor(role, prefixLists[role])].reverse()),
    ]),
  );
  await pair("sg-port", async (role) =>
    loadBalancer(role, "sg-port", "application", [
      await securityGroup(role, "sg-port", [
        {
          IpProtocol: "tcp",
          FromPort: 443,
          ToPort: role === "primary" ? 443 : 444,
          IpRanges: [{ CidrIp: "0.0.0.0/0" }],
        },
      ]),
    ]),
  );
  // Certificates: the SNI certificate and the subject alternative names were ignored.
  await pair("certs", async (role) => {
    const lb = await loadBalancer(role, "certs");
    const tg = await targetGroup(role, "certs-tg");
    const l = await listener(
      role,
      lb.arn,
      443,
      "HTTPS",
      forward(tg),
      role === "primary" ? certs.primary.wide : certs.standby.narrow,
    );
    if (role === "primary") {
      const { AddListenerCertificatesCommand } = await import("@aws-sdk/client-elastic-load-balancing-v2");
      await elb(role).send(
        new AddListenerCertificatesCommand({
          ListenerArn: l,
          Certificates: [{ CertificateArn: primarySni }],
        }),
      );
    }
    return lb;
  });
  // Route 53 beyond 100 zones and 300 records a zone, alias names as AWS returns them, failover roles.
  await pair("dns", async (role) => loadBalancer(role, "dns"));
  const r53 = aws.get(Route53Client, REGIONS.primary);
  let lastZone = "";
  for (let i = 0; i < 102; i++) {
    const z = await r53.send(
      new CreateHostedZoneCommand({
        Name: `zone${String(i).padStart(3, "0")}.example`,
        CallerReference: `z${i}`,
      }),
    );
    lastZone = z.HostedZone?.Id ?? "";
  }
  const fillers: Change[] = Array.from({ length: 320 }, (_, i) => ({
    Action: "CREATE",
    ResourceRecordSet: {
      Name: `aaa-${i}.zone101.example`,
      Type: "CNAME",
      TTL: 60,
      ResourceRecords: [{ Value: "elsewhere.example.org" }],
    },
  }));
  const alias = (role: Role) => ({
    DNSName: `dualstack.${dns[`${role}:dns`] ?? ""}.`,
    HostedZoneId: "Z35SXDOTRQ7X7K",
    EvaluateTargetHealth: true,
  });
  const health = await r53.send(
    new CreateHealthCheckCommand({
      CallerReference: "hc",
      HealthCheckConfig: {
        Type: "HTTPS",
        FullyQualifiedDomainName: "x.example.com",
        Port: 443,
        ResourcePath: "/",
      },
    }),
  );
  const records: Change[] = [
    {
      Action: "CREATE",
      ResourceRecordSet: { Name: "zz-svc.use1.zone101.example", Type: "A", AliasTarget: alias("primary") },
    },
    {
      Action: "CREATE",
      ResourceRecordSet: { Name: "zz-svc.usw2.zone101.example", Type: "A", AliasTarget: alias("standby") },
    },
    {
      Action: "CREATE",
      ResourceRecordSet: {
        Name: "zz-only-primary.zone101.example",
        Type: "A",
        AliasTarget: alias("primary"),
      },
    },
    // CNAMEs count as well as aliases (the original read only aliases).
    {
      Action: "CREATE",
      ResourceRecordSet: {
        Name: "zz-cname.use1.zone101.example",
        Type: "CNAME",
        TTL: 60,
        ResourceRecords: [{ Value: dns["primary:dns"] ?? "" }],
      },
    },
    // A failover set without a health check on PRIMARY, and one whose SECONDARY points at the primary.
    {
      Action: "CREATE",
      ResourceRecordSet: {
        Name: "zz-app.zone101.example",
        Type: "A",
        SetIdentifier: "p",
        Failover: "PRIMARY",
        AliasTarget: alias("primary"),
      },
    },
    {
      Action: "CREATE",
      ResourceRecordSet: {
        Name: "zz-app.zone101.example",
        Type: "A",
        SetIdentifier: "s",
        Failover: "SECONDARY",
        AliasTarget: alias("standby"),
      },
    },
    {
      Action: "CREATE",
      ResourceRecordSet: {
        Name: "zz-bad.zone101.example",
        Type: "A",
        SetIdentifier: "p",
        Failover: "PRIMARY",
        HealthCheckId: health.HealthCheck?.Id,
        AliasTarget: alias("primary"),
      },
    },
    {
      Action: "CREATE",
      ResourceRecordSet: {
        Name: "zz-bad.zone101.example",
        Type: "A",
        SetIdentifier: "s",
        Failover: "SECONDARY",
        AliasTarget: alias("primary"),
      },
    },
  ];
  await r53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: lastZone.replace("/hostedzone/", ""),
      ChangeBatch: { Changes: [...fillers, ...records] },
    }),
  );

  result = await runScan(await env.clients(), {
    types: RESOURCE_TYPES,
    primaryRegions: [REGIONS.primary],
    configPairs: [],
    settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
    suppressions: [],
    concurrency: 4,
  });
});

describe("what the original implementation got wrong", () => {
  it("sees listener protocols swapped between ports", () => {
    expect(rules("swapped")).toEqual(
      expect.arrayContaining([
        "listener.protocol listeners[443].protocol",
        "listener.protocol listeners[80].protocol",
      ]),
    );
  });

  it("compares ALPN policies", () => {
    expect(rules("alpn")).toEqual(["listener.alpn listeners[443].alpn"]);
  });

  it("compares default actions", () => {
    // The standby's listener no longer uses its group, which is still there under the primary's
    // group's name: one change, one finding, in words.
    expect(rules("actions")).toEqual(["listener.default-actions listeners[80].defaultActions"]);
    expect(findings("actions")[0]?.message).toBe(
      "port 80: the standby returns a fixed 503; the primary forwards to actions-tg",
    );
  });

  it("matches target groups through the listener, copes with Lambda groups, and reports only the matcher that differs", () => {
    expect(rules("groups")).toEqual([
      "target-group.health-check targetGroups[groups-c].healthCheck.matcherHttp",
    ]);
  });

  it("reports every rule when the standby's security group has none", () => {
    expect(rules("sg-empty")).toEqual([
      "security-group.ingress ingress[all vpc-cidr]",
      "security-group.ingress ingress[tcp 443-443 0.0.0.0/0]",
      "security-group.ingress ingress[tcp 443-443 ::/0]",
      "security-group.ingress ingress[tcp 8443-8443 pl:corp-vpn]",
    ]);
  });

  it("ignores rule order, descriptions, prefix-list ids and each region's own VPC range", () => {
    expect(rules("sg-same")).toEqual([]);
  });

  it("sees a to-port that differs", () => {
    expect(rules("sg-port")).toEqual([
      "security-group.ingress ingress[tcp 443-443 0.0.0.0/0]",
      "security-group.ingress ingress[tcp 443-444 0.0.0.0/0]",
    ]);
  });

  it("checks SNI certificates and subject alternative names", () => {
    expect(rules("certs")).toEqual([
      "certificate.missing listeners[443].certificates[api.example.com]",
      "certificate.subject-alternative-names listeners[443].certificates[shop.example.com].subjectAlternativeNames",
    ]);
  });

  it("reads every zone and every record page, and checks failover roles and health checks", () => {
    expect(rules("dns")).toEqual([
      "route53.failover-health-check failover[zz-app.zone101.example A].PRIMARY.healthCheckId",
      "route53.failover-targets failover[zz-bad.zone101.example A].SECONDARY",
      "route53.records records[zz-cname.use1.zone101.example CNAME]",
      "route53.records records[zz-only-primary.zone101.example A]",
    ]);
    expect(findings("dns").find((f) => f.ruleId === "route53.failover-targets")?.message).toMatch(
      /SECONDARY failover record zz-bad.zone101.example \(A\) points at the primary load balancer dns \(/,
    );
  });
});
