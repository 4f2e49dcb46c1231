/**
 * How load balancers pair: the region's load balancers listed 400 a page with their tags 20 ARNs
 * a call (ELBv2 has its own tag API, and the descriptions are needed anyway), and described by
 * ARN 20 a call in their own region and account.
 */
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client,
  paginateDescribeLoadBalancers,
  type LoadBalancer,
  type TagDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { mapAwsError, NotFoundError } from "../../aws/errors.js";
import type { Finding } from "../../core/finding.js";
import { pairFinding } from "../../pairs/declared.js";
import type { PairKind, Tagged } from "../../pairs/kind.js";
import { PAIR_RULES } from "../../pairs/rules.js";
import { ownsLoadBalancer } from "../owns.js";

const TAGS_PER_CALL = 20;
const ARNS_PER_DESCRIBE = 20;

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, i * size + size),
  );
}

const arnText = (a: Arn) => `arn:${a.partition}:${a.service}:${a.region}:${a.account}:${a.resource}`;

async function listAll(elb: ElasticLoadBalancingV2Client): Promise<LoadBalancer[]> {
  const all: LoadBalancer[] = [];
  for await (const page of paginateDescribeLoadBalancers({ client: elb, pageSize: 400 }, {}))
    all.push(...(page.LoadBalancers ?? []));
  return all;
}

/**
 * The tags of every load balancer, 20 a call. A batch that fails (one load balancer deleted since
 * it was listed fails the whole call) is read again one ARN at a time, so only the load balancers
 * whose tags truly cannot be read are lost, each as a finding; one deleted since is simply gone.
 */
async function tagsOfAll(
  elb: ElasticLoadBalancingV2Client,
  region: string,
  all: readonly LoadBalancer[],
  findings: Finding[],
): Promise<TagDescription[]> {
  const site = { service: "ELBv2", operation: "DescribeTags", region };
  const tagsOf = async (batch: readonly LoadBalancer[]) =>
    (await elb.send(new DescribeTagsCommand({ ResourceArns: batch.map((lb) => lb.LoadBalancerArn ?? "") })))
      .TagDescriptions ?? [];
  const one = async (lb: LoadBalancer): Promise<TagDescription[]> => {
    try {
      return await tagsOf([lb]);
    } catch (err) {
      const mapped = mapAwsError(err, site);
      if (mapped instanceof NotFoundError) return [];
      const name = lb.LoadBalancerName ?? lb.LoadBalancerArn ?? "?";
      findings.push(
        pairFinding(
          { name, primaryArn: lb.LoadBalancerArn ?? "" },
          {
            rule: PAIR_RULES.unreadable,
            status: "error",
            message: `could not read the tags of ${name} in ${region}, so whether it is a primary is unknown: ${mapped.message}`,
            secondary: null,
          },
        ),
      );
      return [];
    }
  };
  const batches = await Promise.all(
    chunks(all, TAGS_PER_CALL).map(async (batch) => {
      try {
        return await tagsOf(batch);
      } catch (err) {
        if (batch.length === 1 && mapAwsError(err, site) instanceof NotFoundError) return [];
        return (await Promise.all(batch.map(one))).flat();
      }
    }),
  );
  return batches.flat();
}

async function tagged(aws: AwsClients, region: string) {
  const elb = aws.get(ElasticLoadBalancingV2Client, region);
  const findings: Finding[] = [];
  try {
    const all = await listAll(elb);
    const descriptions = await tagsOfAll(elb, region, all, findings);
    const byArn = new Map(all.map((lb) => [lb.LoadBalancerArn ?? "", lb]));
    const found = descriptions.flatMap((d): Tagged<LoadBalancer>[] => {
      const lb = byArn.get(d.ResourceArn ?? "");
      if (!lb) return [];
      const tags = Object.fromEntries((d.Tags ?? []).map((t) => [t.Key ?? "", t.Value]));
      return [{ arn: lb.LoadBalancerArn ?? "", name: lb.LoadBalancerName ?? "", resource: lb, tags }];
    });
    return { found, findings };
  } catch (err) {
    throw mapAwsError(err, { service: "ELBv2", operation: "DescribeLoadBalancers/DescribeTags", region });
  }
}

/**
 * Load balancers by ARN, 20 a call, in their own region and account. AWS fails a whole call for
 * one unknown ARN, so a failing batch is retried one ARN at a time to find which.
 */
async function describe(aws: AwsClients, arns: readonly Arn[]): Promise<Map<string, LoadBalancer | Error>> {
  const result = new Map<string, LoadBalancer | Error>();
  const groups = new Map<string, Arn[]>();
  for (const arn of arns)
    groups.set(`${arn.region}|${arn.account}`, [...(groups.get(`${arn.region}|${arn.account}`) ?? []), arn]);
  const readBatch = async (batch: Arn[]) => {
    const { region, account } = batch[0] as Arn;
    const elb = aws.get(ElasticLoadBalancingV2Client, region, account);
    const site = { service: "ELBv2", operation: "DescribeLoadBalancers", region, account };
    try {
      const out = await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: batch.map(arnText) }));
      for (const lb of out.LoadBalancers ?? []) result.set(lb.LoadBalancerArn ?? "", lb);
    } catch (err) {
      const mapped = mapAwsError(err, site);
      if (!(mapped instanceof NotFoundError) || batch.length === 1) {
        for (const a of batch) result.set(arnText(a), mapped);
        return;
      }
      await Promise.all(
        batch.map(async (a) => {
          const found = (await describe(aws, [a])).get(arnText(a));
          result.set(
            arnText(a),
            found ?? new NotFoundError(`not found: ${arnText(a)}`, site, "LoadBalancerNotFound", undefined),
          );
        }),
      );
    }
  };
  await Promise.all([...groups.values()].flatMap((group) => chunks(group, ARNS_PER_DESCRIBE).map(readBatch)));
  return result;
}

export const loadBalancerPairing: PairKind<LoadBalancer> = {
  type: "load-balancer",
  title: "Load balancer",
  owns: ownsLoadBalancer,
  tagged,
  describe,
  nameOf: (lb) => lb.LoadBalancerName ?? "",
  incompatible: (primary, standby) =>
    primary.Type === standby.Type
      ? undefined
      : {
          message: `${primary.LoadBalancerName ?? "?"} is an ${primary.Type ?? "?"} load balancer but its standby is a ${standby.Type ?? "?"} one`,
          primary: primary.Type,
          standby: standby.Type,
        },
  otherKindRule: PAIR_RULES.notALoadBalancer,
};

export { ownsLoadBalancer };
