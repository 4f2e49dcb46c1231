import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  type EC2Client,
  type IpPermission,
} from "@aws-sdk/client-ec2";
import {
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  type ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
  type Action,
  type RuleCondition,
  type Tag,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Network } from "./network.js";

/** What one side of a pair deviates by; empty for a side built exactly like its twin. */
export interface Variation {
  loadBalancerAttributes?: Record<string, string>;
  sslPolicy?: string;
  /** Per target-group suffix ("app" / "api"): health-check and attribute overrides. */
  targetGroups?: Record<string, { healthCheckPath?: string; attributes?: Record<string, string> }>;
  /** Leave out the IPv6 HTTPS ingress rule. */
  dropIpv6Https?: boolean;
  /** Use this certificate as the SNI certificate instead of the shared one. */
  sniCertificateArn?: string;
  /** Host name of the admin rule. */
  adminHost?: string;
}

export interface SideSpec {
  /** This side's load-balancer name; its groups are named after it. */
  name: string;
  /** The last word of each target group's name on this side, by the group's part ("app", "api"). */
  targetGroupWord: Record<"app" | "api", string>;
  type: "application" | "network";
  region: string;
  network: Network;
  certificates: { defaultArn: string; sniArn: string };
  /** Regional by nature: each region logs to its own bucket. */
  accessLogBucket: string;
  tags: Tag[];
  /** Build in reverse order (rules, groups, permissions), as a twin made by another hand would be. */
  reverseOrder: boolean;
  targetInstanceIds: string[];
  variation: Variation;
}

export interface BuiltSide {
  name: string;
  arn: string;
  dnsName: string;
  canonicalHostedZoneId: string;
  securityGroupId?: string;
  targetGroupArns: Record<string, string>;
}

const ordered = <T>(items: readonly T[], reverse: boolean): T[] =>
  reverse ? [...items].reverse() : [...items];

async function buildSecurityGroup(ec2: EC2Client, spec: SideSpec): Promise<string> {
  const sg = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: `${spec.name}-lb`,
      Description: `load balancer ${spec.name}`,
      VpcId: spec.network.vpcId,
      TagSpecifications: [
        { ResourceType: "security-group", Tags: [{ Key: "Name", Value: `${spec.name}-lb` }] },
      ],
    }),
  );
  const groupId = sg.GroupId ?? "";
  const ingress: IpPermission[] = [
    { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "http" }] },
    { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
    { IpProtocol: "tcp", FromPort: 80, ToPort: 80, Ipv6Ranges: [{ CidrIpv6: "::/0" }] },
  ];
  if (!spec.variation.dropIpv6Https) {
    ingress.push({ IpProtocol: "tcp", FromPort: 443, ToPort: 443, Ipv6Ranges: [{ CidrIpv6: "::/0" }] });
  }
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: ordered(ingress, spec.reverseOrder),
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupEgressCommand({
      GroupId: groupId,
      IpPermissions: [
        {
          IpProtocol: "tcp",
          FromPort: 8080,
          ToPort: 8081,
          UserIdGroupPairs: [{ GroupId: spec.network.appSecurityGroupId, Description: "to the application" }],
        },
      ],
    }),
  );
  return groupId;
}

const TARGET_GROUPS: {
  suffix: "app" | "api";
  port: number;
  path: string;
  matcher: string;
  deregistration: string;
}[] = [
  { suffix: "app", port: 8080, path: "/health", matcher: "200", deregistration: "30" },
  { suffix: "api", port: 8081, path: "/api/health", matcher: "200-299", deregistration: "60" },
];

async function buildTargetGroups(
  elb: ElasticLoadBalancingV2Client,
  spec: SideSpec,
): Promise<Record<string, string>> {
  const arns: Record<string, string> = {};
  const alb = spec.type === "application";
  for (const tg of ordered(TARGET_GROUPS, spec.reverseOrder)) {
    const override = spec.variation.targetGroups?.[tg.suffix] ?? {};
    const out = await elb.send(
      new CreateTargetGroupCommand({
        Name: `${spec.name}-${spec.targetGroupWord[tg.suffix]}`,
        Protocol: alb ? "HTTP" : "TCP",
        Port: tg.port,
        VpcId: spec.network.vpcId,
        TargetType: "instance",
        HealthCheckProtocol: alb ? "HTTP" : "TCP",
        ...(alb
          ? { HealthCheckPath: override.healthCheckPath ?? tg.path, Matcher: { HttpCode: tg.matcher } }
          : {}),
        HealthCheckIntervalSeconds: 10,
        HealthyThresholdCount: 3,
        UnhealthyThresholdCount: 2,
      }),
    );
    const arn = out.TargetGroups?.[0]?.TargetGroupArn ?? "";
    arns[tg.suffix] = arn;
    const attributes: Record<string, string> = {
      "deregistration_delay.timeout_seconds": tg.deregistration,
      ...(alb
        ? {
            "stickiness.enabled": "true",
            "stickiness.type": "lb_cookie",
            "stickiness.lb_cookie.duration_seconds": "3600",
          }
        : { "deregistration_delay.connection_termination.enabled": "false" }),
      ...override.attributes,
    };
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: Object.entries(attributes).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    if (spec.targetInstanceIds.length > 0) {
      await elb.send(
        new RegisterTargetsCommand({
          TargetGroupArn: arn,
          Targets: spec.targetInstanceIds.map((Id) => ({ Id })),
        }),
      );
    }
  }
  return arns;
}

function albRules(
  spec: SideSpec,
  tgs: Record<string, string>,
): { Priority: number; Conditions: RuleCondition[]; Actions: Action[] }[] {
  return [
    {
      Priority: 10,
      Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/api/*"] } }],
      Actions: [{ Type: "forward", TargetGroupArn: tgs.api }],
    },
    {
      Priority: 20,
      Conditions: [
        {
          Field: "host-header",
          HostHeaderConfig: { Values: [spec.variation.adminHost ?? "admin.example.com"] },
        },
      ],
      Actions: [
        {
          Type: "fixed-response",
          FixedResponseConfig: {
            StatusCode: "403",
            ContentType: "text/plain",
            MessageBody: "admin is internal",
          },
        },
      ],
    },
  ];
}

/** One load balancer with its security group, target groups, listeners, rules and certificates. */
export async function buildLoadBalancerSide(
  ec2: EC2Client,
  elb: ElasticLoadBalancingV2Client,
  spec: SideSpec,
): Promise<BuiltSide> {
  const alb = spec.type === "application";
  const securityGroupId = alb ? await buildSecurityGroup(ec2, spec) : undefined;
  const targetGroupArns = await buildTargetGroups(elb, spec);
  const created = await elb.send(
    new CreateLoadBalancerCommand({
      Name: spec.name,
      Type: spec.type,
      Scheme: "internet-facing",
      IpAddressType: "ipv4",
      Subnets: spec.network.subnetIds,
      ...(securityGroupId ? { SecurityGroups: [securityGroupId] } : {}),
      Tags: spec.tags,
    }),
  );
  const lb = created.LoadBalancers?.[0];
  const arn = lb?.LoadBalancerArn ?? "";
  const attributes: Record<string, string> = {
    "deletion_protection.enabled": "true",
    "access_logs.s3.enabled": "true",
    "access_logs.s3.bucket": spec.accessLogBucket,
    "access_logs.s3.prefix": spec.name,
    ...(alb
      ? { "idle_timeout.timeout_seconds": "60", "routing.http2.enabled": "true" }
      : { "load_balancing.cross_zone.enabled": "true" }),
    ...spec.variation.loadBalancerAttributes,
  };
  await elb.send(
    new ModifyLoadBalancerAttributesCommand({
      LoadBalancerArn: arn,
      Attributes: Object.entries(attributes).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  const sslPolicy = spec.variation.sslPolicy ?? "ELBSecurityPolicy-TLS13-1-2-2021-06";
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: arn,
      Port: 80,
      Protocol: alb ? "HTTP" : "TCP",
      DefaultActions: alb
        ? [{ Type: "redirect", RedirectConfig: { Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" } }]
        : [{ Type: "forward", TargetGroupArn: targetGroupArns.app }],
    }),
  );
  const secure = await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: arn,
      Port: 443,
      Protocol: alb ? "HTTPS" : "TLS",
      SslPolicy: sslPolicy,
      Certificates: [{ CertificateArn: spec.certificates.defaultArn }],
      ...(alb ? {} : { AlpnPolicy: ["HTTP2Preferred"] }),
      DefaultActions: [{ Type: "forward", TargetGroupArn: alb ? targetGroupArns.app : targetGroupArns.api }],
    }),
  );
  const listenerArn = secure.Listeners?.[0]?.ListenerArn ?? "";
  await elb.send(
    new AddListenerCertificatesCommand({
      ListenerArn: listenerArn,
      Certificates: [{ CertificateArn: spec.variation.sniCertificateArn ?? spec.certificates.sniArn }],
    }),
  );
  if (alb) {
    for (const rule of ordered(albRules(spec, targetGroupArns), spec.reverseOrder)) {
      await elb.send(new CreateRuleCommand({ ListenerArn: listenerArn, ...rule }));
    }
  }
  return {
    name: spec.name,
    arn,
    dnsName: lb?.DNSName ?? "",
    canonicalHostedZoneId: lb?.CanonicalHostedZoneId ?? "",
    ...(securityGroupId ? { securityGroupId } : {}),
    targetGroupArns,
  };
}
