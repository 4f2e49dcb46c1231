import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  DescribeTagsCommand,
  paginateDescribeLoadBalancers,
  type LoadBalancer,
  type TagDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { parseArn, type Arn } from "../aws/arn.js";
import type { AwsClients } from "../aws/client-factory.js";
import { mapAwsError, NotFoundError } from "../aws/errors.js";
import { findingOf, type Finding, type RuleInfo, type Status } from "../core/finding.js";
import { PAIR_RULES } from "./rules.js";
import { isTrue, TAG, tidyArn } from "./tags.js";

/** A pair ready to compare: both load balancers described. */
export interface Pair {
  /** The primary load balancer's name, which names the pair. */
  name: string;
  /** The standby load balancer's name (often not the primary's). */
  standbyName: string;
  /** Where the pair was declared. */
  source: "tags" | "config";
  primary: LoadBalancer;
  standby: LoadBalancer;
  primaryRegion: string;
  standbyRegion: string;
  /** The standby's account when it is not the caller's (from its ARN). */
  standbyAccount: string;
  primaryAccount: string;
}

export interface Discovery {
  pairs: Pair[];
  /** Pair-level findings: pairs that cannot be compared, and notes on pairs that can. */
  findings: Finding[];
}

interface Candidate {
  name: string;
  primary: LoadBalancer;
  primaryRegion: string;
  secondary: string | undefined;
  source: Pair["source"];
}

const TAGS_PER_CALL = 20;
const ARNS_PER_DESCRIBE = 20;

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, i * size + size),
  );
}

function pairFinding(
  rule: RuleInfo,
  c: { name: string; primaryArn: string },
  secondaryArn: string | null,
  status: Status,
  message: string,
  secondary: unknown = secondaryArn,
): Finding {
  return findingOf(rule, {
    pair: c.name,
    primaryArn: c.primaryArn,
    secondaryArn,
    status,
    path: "pair",
    primary: c.primaryArn,
    secondary: secondary ?? null,
    message,
  });
}

/** Whether an ARN (as typed) names a load balancer: such pairs are the readiness scan's. */
export function isLoadBalancerArn(arn: string): boolean {
  return /^arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:loadbalancer\//.test(tidyArn(arn));
}

/**
 * Load balancers of a region tagged enable=true and isPrimary=true; tags read 20 ARNs a call. A
 * batch that fails (one load balancer deleted since it was listed fails the whole call) is read
 * again one ARN at a time, so only the load balancers whose tags truly cannot be read are lost,
 * each as a finding; one deleted since the listing is simply gone.
 */
async function taggedPrimaries(
  aws: AwsClients,
  region: string,
): Promise<{ candidates: Candidate[]; findings: Finding[] }> {
  const elb = aws.get(ElasticLoadBalancingV2Client, region);
  const site = { service: "ELBv2", operation: "DescribeTags", region };
  const all: LoadBalancer[] = [];
  for await (const page of paginateDescribeLoadBalancers({ client: elb, pageSize: 400 }, {}))
    all.push(...(page.LoadBalancers ?? []));
  const findings: Finding[] = [];
  const tagsOf = async (batch: LoadBalancer[]): Promise<TagDescription[]> => {
    const out = await elb.send(
      new DescribeTagsCommand({ ResourceArns: batch.map((lb) => lb.LoadBalancerArn ?? "") }),
    );
    return out.TagDescriptions ?? [];
  };
  const tagged = await Promise.all(
    chunks(all, TAGS_PER_CALL).map(async (batch) => {
      try {
        return await tagsOf(batch);
      } catch (err) {
        if (batch.length === 1 && mapAwsError(err, site) instanceof NotFoundError) return [];
        const one = await Promise.all(
          batch.map(async (lb) => {
            try {
              return await tagsOf([lb]);
            } catch (oneErr) {
              const mapped = mapAwsError(oneErr, site);
              if (mapped instanceof NotFoundError) return [];
              const name = lb.LoadBalancerName ?? lb.LoadBalancerArn ?? "?";
              findings.push(
                pairFinding(
                  PAIR_RULES.unreadable,
                  { name, primaryArn: lb.LoadBalancerArn ?? "" },
                  null,
                  "error",
                  `could not read the tags of ${name} in ${region}, so whether it is a primary is unknown: ${mapped.message}`,
                ),
              );
              return [];
            }
          }),
        );
        return one.flat();
      }
    }),
  );
  const byArn = new Map(all.map((lb) => [lb.LoadBalancerArn ?? "", lb]));
  const candidates = tagged.flat().flatMap((d): Candidate[] => {
    const tags = new Map((d.Tags ?? []).map((t) => [t.Key ?? "", t.Value]));
    const lb = byArn.get(d.ResourceArn ?? "");
    if (!lb || !isTrue(tags.get(TAG.enable)) || !isTrue(tags.get(TAG.isPrimary))) return [];
    return [
      {
        name: lb.LoadBalancerName ?? "",
        primary: lb,
        primaryRegion: region,
        secondary: tags.get(TAG.secondaryArn),
        source: "tags",
      },
    ];
  });
  return { candidates, findings };
}

/**
 * Describes load balancers by ARN, 20 a call, in their own region and account. AWS fails a whole
 * call for one unknown ARN, so a failing batch is retried one ARN at a time to find which.
 */
async function describeByArn(aws: AwsClients, arns: Arn[]): Promise<Map<string, LoadBalancer | Error>> {
  const result = new Map<string, LoadBalancer | Error>();
  const groups = new Map<string, Arn[]>();
  for (const arn of arns) {
    const key = `${arn.region}|${arn.account}`;
    groups.set(key, [...(groups.get(key) ?? []), arn]);
  }
  await Promise.all(
    [...groups.values()].flatMap((group) =>
      chunks(group, ARNS_PER_DESCRIBE).map(async (batch) => {
        const { region, account } = batch[0] as Arn;
        const elb = aws.get(ElasticLoadBalancingV2Client, region, account);
        const site = { service: "ELBv2", operation: "DescribeLoadBalancers", region, account };
        const text = (a: Arn) => `arn:${a.partition}:${a.service}:${a.region}:${a.account}:${a.resource}`;
        try {
          const out = await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: batch.map(text) }));
          for (const lb of out.LoadBalancers ?? []) result.set(lb.LoadBalancerArn ?? "", lb);
        } catch (err) {
          const mapped = mapAwsError(err, site);
          if (!(mapped instanceof NotFoundError) || batch.length === 1) {
            for (const a of batch) result.set(text(a), mapped);
            return;
          }
          for (const [a, found] of await Promise.all(
            batch.map(async (a) => [a, await describeByArn(aws, [a])] as const),
          )) {
            result.set(
              text(a),
              found.get(text(a)) ??
                new NotFoundError(`not found: ${text(a)}`, site, "LoadBalancerNotFound", undefined),
            );
          }
        }
      }),
    ),
  );
  return result;
}

/**
 * Finds every pair: primaries by tag in `primaryRegions`, plus those listed in config. Every
 * problem with a pair becomes a finding on it; the other pairs are unaffected.
 */
export async function discoverPairs(
  aws: AwsClients,
  options: { primaryRegions: string[]; configPairs: readonly { primary: string; secondary?: string }[] },
): Promise<Discovery> {
  const findings: Finding[] = [];
  // The load-balancer pairs of drctl.yaml; its data-store pairs are freshness's.
  const configPairs = options.configPairs.filter((p): p is { primary: string; secondary: string } =>
    isLoadBalancerArn(p.primary),
  );
  const candidates = new Map<string, Candidate>();
  for (const region of options.primaryRegions) {
    try {
      const found = await taggedPrimaries(aws, region);
      for (const c of found.candidates) candidates.set(c.primary.LoadBalancerArn ?? "", c);
      findings.push(...found.findings);
    } catch (err) {
      const mapped = mapAwsError(err, {
        service: "ELBv2",
        operation: "DescribeLoadBalancers/DescribeTags",
        region,
      });
      // About a whole region: every pair whose primary is there is unread (path region[...]).
      findings.push({
        ...pairFinding(
          PAIR_RULES.unreadable,
          { name: `(primaries in ${region})`, primaryArn: "" },
          null,
          "error",
          `could not list the tagged primaries of ${region}: ${mapped.message}`,
        ),
        path: `region[${region}]`,
        primary: region,
      });
    }
  }
  // Pairs from config: their primaries are described by ARN (they may be in any region).
  if (configPairs.length > 0) {
    const primaries = await describeByArn(
      aws,
      configPairs.map((p) => parseArn(tidyArn(p.primary))),
    );
    for (const p of configPairs) {
      const arn = tidyArn(p.primary);
      const lb = primaries.get(arn);
      const name = arn.split("/").at(-2) ?? arn;
      if (!lb || lb instanceof Error) {
        findings.push(
          pairFinding(
            PAIR_RULES.unreadable,
            { name, primaryArn: arn },
            p.secondary,
            lb instanceof NotFoundError || !lb ? "missing" : "error",
            `the primary ${arn} listed in drctl.yaml could not be read: ${lb?.message ?? "not found"}`,
          ),
        );
        continue;
      }
      candidates.set(arn, {
        name: lb.LoadBalancerName ?? name,
        primary: lb,
        primaryRegion: parseArn(arn).region,
        secondary: p.secondary,
        source: "config",
      });
    }
  }

  // Validate each candidate's standby ARN.
  const valid: { c: Candidate; primaryArn: string; standby: Arn; standbyArn: string }[] = [];
  for (const c of candidates.values()) {
    const primaryArn = c.primary.LoadBalancerArn ?? "";
    const ref = { name: c.name, primaryArn };
    const raw = c.secondary;
    if (raw === undefined || raw.trim() === "") {
      findings.push(
        pairFinding(
          PAIR_RULES.secondaryArnMissing,
          ref,
          null,
          "error",
          `${c.name} is tagged as an enabled primary but its ${TAG.secondaryArn} tag is ${raw === undefined ? "missing" : "empty"}`,
        ),
      );
      continue;
    }
    let standby: Arn;
    try {
      standby = parseArn(tidyArn(raw));
    } catch (err) {
      findings.push(
        pairFinding(
          PAIR_RULES.secondaryArnMalformed,
          ref,
          raw,
          "error",
          `${c.name}'s ${TAG.secondaryArn} tag is not a valid ARN: ${(err as Error).message}`,
        ),
      );
      continue;
    }
    const standbyArn = tidyArn(raw);
    if (
      standby.service !== "elasticloadbalancing" ||
      standby.resourceType !== "loadbalancer" ||
      !/^(app|net)\//.test(standby.resourceId)
    ) {
      findings.push(
        pairFinding(
          PAIR_RULES.notALoadBalancer,
          ref,
          standbyArn,
          "error",
          `${c.name}'s ${TAG.secondaryArn} names ${standby.service} ${standby.resourceType || "resource"} ${standby.resourceId}, not an application or network load balancer`,
        ),
      );
      continue;
    }
    if (standbyArn === primaryArn) {
      findings.push(
        pairFinding(
          PAIR_RULES.selfReference,
          ref,
          standbyArn,
          "error",
          `${c.name}'s ${TAG.secondaryArn} is its own ARN`,
        ),
      );
      continue;
    }
    if (standby.region === c.primaryRegion) {
      findings.push(
        pairFinding(
          PAIR_RULES.sameRegion,
          ref,
          standbyArn,
          "drift",
          `${c.name}'s standby is in ${standby.region}, the primary's own region`,
        ),
      );
      continue;
    }
    valid.push({ c, primaryArn, standby, standbyArn });
  }

  // Two primaries naming each other: neither is a standby.
  const secondaryOf = new Map(valid.map((v) => [v.primaryArn, v.standbyArn]));
  const cyclic = new Set(
    valid.filter((v) => secondaryOf.get(v.standbyArn) === v.primaryArn).map((v) => v.primaryArn),
  );
  // One standby claimed by several primaries: reported on each, and each is still compared.
  const claims = new Map<string, number>();
  for (const v of valid) claims.set(v.standbyArn, (claims.get(v.standbyArn) ?? 0) + 1);

  const comparable = valid.filter((v) => {
    if (!cyclic.has(v.primaryArn)) return true;
    findings.push(
      pairFinding(
        PAIR_RULES.selfReference,
        { name: v.c.name, primaryArn: v.primaryArn },
        v.standbyArn,
        "error",
        `${v.c.name} and the load balancer it names as standby are tagged as each other's primary and standby`,
      ),
    );
    return false;
  });
  const standbys = await describeByArn(
    aws,
    comparable.map((v) => v.standby),
  );
  const pairs: Pair[] = [];
  for (const v of comparable) {
    const ref = { name: v.c.name, primaryArn: v.primaryArn };
    if ((claims.get(v.standbyArn) ?? 0) > 1) {
      const others = valid
        .filter((o) => o.standbyArn === v.standbyArn && o.primaryArn !== v.primaryArn)
        .map((o) => o.c.name);
      findings.push(
        pairFinding(
          PAIR_RULES.claimedTwice,
          ref,
          v.standbyArn,
          "drift",
          `${v.c.name}'s standby is also claimed by ${others.join(", ")}`,
        ),
      );
    }
    const found = standbys.get(v.standbyArn);
    if (!found || found instanceof NotFoundError) {
      findings.push(
        pairFinding(
          PAIR_RULES.standbyNotFound,
          ref,
          v.standbyArn,
          "missing",
          `${v.c.name}'s standby ${v.standbyArn} does not exist in ${v.standby.region}`,
        ),
      );
      continue;
    }
    if (found instanceof Error) {
      findings.push(
        pairFinding(
          PAIR_RULES.unreadable,
          ref,
          v.standbyArn,
          "error",
          `${v.c.name}'s standby could not be read: ${found.message}`,
        ),
      );
      continue;
    }
    if (found.Type !== v.c.primary.Type) {
      findings.push(
        pairFinding(
          PAIR_RULES.typeMismatch,
          ref,
          v.standbyArn,
          "drift",
          `${v.c.name} is an ${v.c.primary.Type ?? "?"} load balancer but its standby is a ${found.Type ?? "?"} one`,
          found.Type,
        ),
      );
      continue;
    }
    pairs.push({
      name: v.c.name,
      standbyName: found.LoadBalancerName ?? v.standbyArn,
      source: v.c.source,
      primary: v.c.primary,
      standby: found,
      primaryRegion: v.c.primaryRegion,
      standbyRegion: v.standby.region,
      primaryAccount: parseArn(v.primaryArn).account,
      standbyAccount: v.standby.account,
    });
  }
  return { pairs: pairs.sort((a, b) => a.name.localeCompare(b.name)), findings };
}
