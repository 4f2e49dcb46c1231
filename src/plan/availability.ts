import { ops } from "../aws/services.js";
/**
 * High availability within each region, read live by the plan (no stored run keeps it): the
 * zones of the application's load balancers, its Auto Scaling groups' capacity and zones, and
 * whether its databases are multi-AZ. One call per region and kind, whatever the count.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import type { AwsClients } from "../aws/client-factory.js";
import { mapAwsError } from "../aws/errors.js";
import type { AvailabilityRow } from "../core/plan-result.js";

export const AVAILABILITY_PERMISSIONS = [
  ...ops("ELBv2", "DescribeLoadBalancers"),
  ...ops("AutoScaling", "DescribeAutoScalingGroups"),
  ...ops("RDS", "DescribeDBInstances"),
];

export interface AvailabilityTargets {
  /** Load balancer ARNs, both sides. */
  loadBalancers: string[];
  /** Group names by region. */
  groups: { name: string; region: string }[];
  /** DB instance ARNs, both sides. */
  databases: string[];
}

const regionOf = (arn: string) => arn.split(":")[3] ?? "";
const byRegion = (arns: string[]) => {
  const m = new Map<string, string[]>();
  for (const a of arns) m.set(regionOf(a), [...(m.get(regionOf(a)) ?? []), a]);
  return m;
};

/** Where one read of the availability puts what it finds, and what it could not read. */
interface Reading {
  aws: AwsClients;
  rows: AvailabilityRow[];
  attempt: (
    what: string,
    site: { service: string; operation: string; region: string },
    read: () => Promise<void>,
  ) => Promise<void>;
}

/** The rows, and what could not be read (one line each; the plan says so and is not stored). */
export async function readAvailability(
  aws: AwsClients,
  targets: AvailabilityTargets,
): Promise<{ rows: AvailabilityRow[]; unread: string[] }> {
  const rows: AvailabilityRow[] = [];
  const unread: string[] = [];
  const attempt: Reading["attempt"] = async (what, site, read) => {
    try {
      await read();
    } catch (err) {
      unread.push(`${what}: ${mapAwsError(err, site).message}`);
    }
  };
  const r: Reading = { aws, rows, attempt };
  const work: Promise<void>[] = [];
  for (const [region, arns] of byRegion(targets.loadBalancers))
    for (let i = 0; i < arns.length; i += 20) work.push(readLoadBalancers(r, region, arns.slice(i, i + 20)));
  const groupsByRegion = new Map<string, string[]>();
  for (const g of targets.groups)
    groupsByRegion.set(g.region, [...(groupsByRegion.get(g.region) ?? []), g.name]);
  for (const [region, names] of groupsByRegion) work.push(readGroups(r, region, names));
  for (const [region, arns] of byRegion(targets.databases)) work.push(readDatabases(r, region, arns));
  await Promise.all(work);
  const order = (row: AvailabilityRow) => `${row.what}|${row.region}|${row.name}`;
  return { rows: rows.sort((a, b) => order(a).localeCompare(order(b))), unread };
}

const zonesText = (zones: number) => `${zones} zone${zones === 1 ? "" : "s"}`;

function readLoadBalancers(r: Reading, region: string, arns: string[]): Promise<void> {
  return r.attempt(
    `load balancers of ${region}`,
    { service: "ELBv2", operation: "DescribeLoadBalancers", region },
    async () => {
      const out = await r.aws
        .get(ElasticLoadBalancingV2Client, region)
        .send(new DescribeLoadBalancersCommand({ LoadBalancerArns: arns }));
      for (const lb of out.LoadBalancers ?? []) {
        const zones = lb.AvailabilityZones?.length ?? 0;
        r.rows.push({
          what: "load balancer",
          name: lb.LoadBalancerName ?? "",
          region,
          value: zonesText(zones),
          ok: zones >= 2,
          evidence: "live",
        });
      }
    },
  );
}

function readGroups(r: Reading, region: string, names: string[]): Promise<void> {
  return r.attempt(
    `Auto Scaling groups of ${region}`,
    { service: "AutoScaling", operation: "DescribeAutoScalingGroups", region },
    async () => {
      const out = await r.aws
        .get(AutoScalingClient, region)
        .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [...new Set(names)] }));
      const found = new Set<string>();
      for (const g of out.AutoScalingGroups ?? []) {
        found.add(g.AutoScalingGroupName ?? "");
        const zones = g.AvailabilityZones?.length ?? 0;
        r.rows.push({
          what: "Auto Scaling group",
          name: g.AutoScalingGroupName ?? "",
          region,
          value: `min ${g.MinSize ?? 0} / desired ${g.DesiredCapacity ?? 0} / max ${g.MaxSize ?? 0} in ${zonesText(zones)}`,
          // A pilot light's standby may run none; spreading over zones is what counts.
          ok: zones >= 2,
          evidence: "live",
        });
      }
      for (const name of new Set(names))
        if (!found.has(name))
          r.rows.push({
            what: "Auto Scaling group",
            name,
            region,
            value: "does not exist",
            ok: false,
            evidence: "live",
          });
    },
  );
}

function readDatabases(r: Reading, region: string, arns: string[]): Promise<void> {
  return r.attempt(
    `DB instances of ${region}`,
    { service: "RDS", operation: "DescribeDBInstances", region },
    async () => {
      const out = await r.aws.get(RDSClient, region).send(
        new DescribeDBInstancesCommand({
          Filters: [{ Name: "db-instance-id", Values: arns.slice(0, 100) }],
        }),
      );
      for (const db of out.DBInstances ?? []) {
        const replica = db.ReadReplicaSourceDBInstanceIdentifier !== undefined;
        r.rows.push({
          what: replica ? "DB instance (replica)" : "DB instance",
          name: db.DBInstanceIdentifier ?? "",
          region,
          value: db.MultiAZ ? "multi-AZ" : `single zone (${db.AvailabilityZone ?? "?"})`,
          // A replica in the standby region is the cross-region copy; its own zones matter once promoted.
          ok: db.MultiAZ === true || replica,
          evidence: "live",
        });
      }
    },
  );
}
