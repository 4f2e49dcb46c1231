import { ops, type AwsOperation } from "../aws/services.js";
import { ACMClient, paginateListCertificates } from "@aws-sdk/client-acm";
import { AutoScalingClient, paginateDescribeAutoScalingGroups } from "@aws-sdk/client-auto-scaling";
import {
  EC2Client,
  paginateDescribeImages,
  paginateDescribeInstances,
  paginateDescribeLaunchTemplates,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcs,
} from "@aws-sdk/client-ec2";
import {
  ElasticLoadBalancingV2Client,
  paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { RDSClient, paginateDescribeDBInstances } from "@aws-sdk/client-rds";
import { Route53Client, paginateListHostedZones } from "@aws-sdk/client-route-53";
import { SSMClient, paginateDescribeParameters } from "@aws-sdk/client-ssm";
import type { AwsClients } from "../aws/client-factory.js";
import { listRecordSets } from "../aws/route53.js";

/** Counts one resource type in one region with region-wide list calls only. */
export interface ResourceCount {
  resourceType: string;
  /** Route 53 is global: counted once, not per region. */
  scope: "regional" | "global";
  /** The AWS operations it calls: its IAM actions, the README's table and the policy derive from these. */
  permissions: AwsOperation[];
  count(aws: AwsClients, region: string): Promise<number>;
}

async function countPages<P>(
  pages: AsyncIterable<P>,
  items: (page: P) => readonly unknown[] | undefined,
): Promise<number> {
  let n = 0;
  for await (const page of pages) n += items(page)?.length ?? 0;
  return n;
}

const LIVE_INSTANCE_STATES = ["pending", "running", "stopping", "stopped"];

export const RESOURCE_COUNTS: readonly ResourceCount[] = [
  {
    resourceType: "VPCs",
    scope: "regional",
    permissions: ops("EC2", "DescribeVpcs"),
    count: (aws, region) =>
      countPages(paginateDescribeVpcs({ client: aws.get(EC2Client, region) }, {}), (p) => p.Vpcs),
  },
  {
    resourceType: "subnets",
    scope: "regional",
    permissions: ops("EC2", "DescribeSubnets"),
    count: (aws, region) =>
      countPages(paginateDescribeSubnets({ client: aws.get(EC2Client, region) }, {}), (p) => p.Subnets),
  },
  {
    resourceType: "security groups",
    scope: "regional",
    permissions: ops("EC2", "DescribeSecurityGroups"),
    count: (aws, region) =>
      countPages(
        paginateDescribeSecurityGroups({ client: aws.get(EC2Client, region) }, {}),
        (p) => p.SecurityGroups,
      ),
  },
  {
    resourceType: "ACM certificates",
    scope: "regional",
    permissions: ops("ACM", "ListCertificates"),
    count: (aws, region) =>
      countPages(
        paginateListCertificates({ client: aws.get(ACMClient, region) }, {}),
        (p) => p.CertificateSummaryList,
      ),
  },
  {
    resourceType: "load balancers",
    scope: "regional",
    permissions: ops("ELBv2", "DescribeLoadBalancers"),
    count: (aws, region) =>
      countPages(
        paginateDescribeLoadBalancers(
          { client: aws.get(ElasticLoadBalancingV2Client, region), pageSize: 400 },
          {},
        ),
        (p) => p.LoadBalancers,
      ),
  },
  {
    resourceType: "target groups",
    scope: "regional",
    permissions: ops("ELBv2", "DescribeTargetGroups"),
    count: (aws, region) =>
      countPages(
        paginateDescribeTargetGroups(
          { client: aws.get(ElasticLoadBalancingV2Client, region), pageSize: 400 },
          {},
        ),
        (p) => p.TargetGroups,
      ),
  },
  {
    resourceType: "launch templates",
    scope: "regional",
    permissions: ops("EC2", "DescribeLaunchTemplates"),
    count: (aws, region) =>
      countPages(
        paginateDescribeLaunchTemplates({ client: aws.get(EC2Client, region) }, {}),
        (p) => p.LaunchTemplates,
      ),
  },
  {
    resourceType: "Auto Scaling groups",
    scope: "regional",
    permissions: ops("AutoScaling", "DescribeAutoScalingGroups"),
    count: (aws, region) =>
      countPages(
        paginateDescribeAutoScalingGroups({ client: aws.get(AutoScalingClient, region) }, {}),
        (p) => p.AutoScalingGroups,
      ),
  },
  {
    resourceType: "EC2 instances",
    scope: "regional",
    permissions: ops("EC2", "DescribeInstances"),
    count: (aws, region) =>
      countPages(
        paginateDescribeInstances(
          { client: aws.get(EC2Client, region) },
          { Filters: [{ Name: "instance-state-name", Values: LIVE_INSTANCE_STATES }] },
        ),
        (p) => (p.Reservations ?? []).flatMap((r) => r.Instances ?? []),
      ),
  },
  {
    resourceType: "AMIs (own)",
    scope: "regional",
    permissions: ops("EC2", "DescribeImages"),
    count: (aws, region) =>
      countPages(
        paginateDescribeImages({ client: aws.get(EC2Client, region) }, { Owners: ["self"] }),
        (p) => p.Images,
      ),
  },
  {
    resourceType: "RDS instances",
    scope: "regional",
    permissions: ops("RDS", "DescribeDBInstances"),
    count: (aws, region) =>
      countPages(
        paginateDescribeDBInstances({ client: aws.get(RDSClient, region) }, {}),
        (p) => p.DBInstances,
      ),
  },
  {
    resourceType: "SSM parameters",
    scope: "regional",
    permissions: ops("SSM", "DescribeParameters"),
    count: (aws, region) =>
      countPages(paginateDescribeParameters({ client: aws.get(SSMClient, region) }, {}), (p) => p.Parameters),
  },
  {
    resourceType: "Route 53 hosted zones",
    scope: "global",
    permissions: ops("Route53", "ListHostedZones"),
    count: (aws, region) =>
      countPages(
        paginateListHostedZones({ client: aws.get(Route53Client, region) }, {}),
        (p) => p.HostedZones,
      ),
  },
  {
    resourceType: "Route 53 records",
    scope: "global",
    permissions: ops("Route53", "ListHostedZones", "ListResourceRecordSets"),
    async count(aws, region) {
      const client = aws.get(Route53Client, region);
      let n = 0;
      for await (const page of paginateListHostedZones({ client }, {})) {
        for (const zone of page.HostedZones ?? []) {
          for await (const _record of listRecordSets(client, zone.Id ?? "")) n++;
        }
      }
      return n;
    },
  },
];
