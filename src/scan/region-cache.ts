import { ACMClient, DescribeCertificateCommand, type CertificateDetail } from "@aws-sdk/client-acm";
import {
  EC2Client,
  paginateDescribeManagedPrefixLists,
  paginateDescribeSecurityGroups,
  paginateDescribeVpcs,
  type SecurityGroup,
} from "@aws-sdk/client-ec2";
import {
  ElasticLoadBalancingV2Client,
  paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups,
  type LoadBalancer,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AwsClients } from "../aws/client-factory.js";
import { isTransient, mapAwsError } from "../aws/errors.js";

/**
 * What a scan reads once per region and account and shares between pairs: the region's target
 * groups, security groups, prefix lists and certificates. Each list is fetched on first use with
 * region-wide paged calls; concurrent pairs wait for the same promise instead of calling again.
 */
export class RegionCache {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    private readonly aws: AwsClients,
    readonly region: string,
    readonly account: string | undefined,
    private readonly retryDelayMs = 1000,
  ) {}

  /**
   * The shared result of `load`, read once. A read that fails transiently (throttled after the
   * SDK's own retries, a 5xx, the endpoint not reached) is tried again before its failure is kept:
   * every pair of the region would otherwise report this resource type unreadable.
   */
  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let hit = this.memo.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = retryTransient(load, this.retryDelayMs);
      this.memo.set(key, hit);
    }
    return hit;
  }

  /** Where a call of this cache's region and account is made, for error messages. */
  site(service: string, operation: string) {
    return { service, operation, region: this.region, ...(this.account ? { account: this.account } : {}) };
  }

  elb(): ElasticLoadBalancingV2Client {
    return this.aws.get(ElasticLoadBalancingV2Client, this.region, this.account);
  }

  ec2(): EC2Client {
    return this.aws.get(EC2Client, this.region, this.account);
  }

  /**
   * Every load balancer of the region by DNS name (lower case), 400 a page: read only when a
   * record points at a load balancer outside its pair, to say which one it is.
   */
  loadBalancersByDns(): Promise<ReadonlyMap<string, LoadBalancer>> {
    return this.once("load-balancers", async () => {
      const byDns = new Map<string, LoadBalancer>();
      try {
        for await (const page of paginateDescribeLoadBalancers({ client: this.elb(), pageSize: 400 }, {}))
          for (const lb of page.LoadBalancers ?? []) byDns.set((lb.DNSName ?? "").toLowerCase(), lb);
      } catch (err) {
        throw mapAwsError(err, this.site("ELBv2", "DescribeLoadBalancers"));
      }
      return byDns;
    });
  }

  /** Every target group of the region, 400 a page. */
  targetGroups(): Promise<ReadonlyMap<string, TargetGroup>> {
    return this.once("target-groups", async () => {
      const byArn = new Map<string, TargetGroup>();
      try {
        for await (const page of paginateDescribeTargetGroups({ client: this.elb(), pageSize: 400 }, {})) {
          for (const tg of page.TargetGroups ?? []) byArn.set(tg.TargetGroupArn ?? "", tg);
        }
      } catch (err) {
        throw mapAwsError(err, this.site("ELBv2", "DescribeTargetGroups"));
      }
      return byArn;
    });
  }

  /** Every security group of the region. */
  securityGroups(): Promise<ReadonlyMap<string, SecurityGroup>> {
    return this.once("security-groups", async () => {
      const byId = new Map<string, SecurityGroup>();
      try {
        for await (const page of paginateDescribeSecurityGroups(
          { client: this.ec2() },
          { MaxResults: 1000 },
        )) {
          for (const sg of page.SecurityGroups ?? []) byId.set(sg.GroupId ?? "", sg);
        }
      } catch (err) {
        throw mapAwsError(err, this.site("EC2", "DescribeSecurityGroups"));
      }
      return byId;
    });
  }

  /** VPC id -> its IPv4 and IPv6 CIDR blocks, so a rule allowing "the VPC" compares by meaning. */
  vpcCidrs(): Promise<ReadonlyMap<string, readonly string[]>> {
    return this.once("vpcs", async () => {
      const cidrs = new Map<string, string[]>();
      try {
        for await (const page of paginateDescribeVpcs({ client: this.ec2() }, {})) {
          for (const vpc of page.Vpcs ?? []) {
            cidrs.set(
              vpc.VpcId ?? "",
              [
                ...(vpc.CidrBlockAssociationSet ?? []).map((c) => c.CidrBlock ?? ""),
                ...(vpc.Ipv6CidrBlockAssociationSet ?? []).map((c) => c.Ipv6CidrBlock ?? ""),
                ...(vpc.CidrBlock ? [vpc.CidrBlock] : []),
              ].filter(Boolean),
            );
          }
        }
      } catch (err) {
        throw mapAwsError(err, this.site("EC2", "DescribeVpcs"));
      }
      return cidrs;
    });
  }

  /** Prefix list id -> name (AWS-managed lists have per-region ids and the same name). */
  prefixListNames(): Promise<ReadonlyMap<string, string>> {
    return this.once("prefix-lists", async () => {
      const names = new Map<string, string>();
      try {
        for await (const page of paginateDescribeManagedPrefixLists({ client: this.ec2() }, {})) {
          for (const pl of page.PrefixLists ?? []) names.set(pl.PrefixListId ?? "", pl.PrefixListName ?? "");
        }
      } catch (err) {
        throw mapAwsError(err, this.site("EC2", "DescribeManagedPrefixLists"));
      }
      return names;
    });
  }

  /** One ACM certificate's details; certificates are shared by many listeners, so each is read once. */
  certificate(arn: string): Promise<CertificateDetail> {
    return this.once(`certificate:${arn}`, async () => {
      try {
        const out = await this.aws
          .get(ACMClient, this.region, this.account)
          .send(new DescribeCertificateCommand({ CertificateArn: arn }));
        return out.Certificate ?? {};
      } catch (err) {
        throw mapAwsError(err, this.site("ACM", "DescribeCertificate"));
      }
    });
  }
}

const SHARED_READ_ATTEMPTS = 3;

async function retryTransient<T>(load: () => Promise<T>, delayMs: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await load();
    } catch (err) {
      if (attempt >= SHARED_READ_ATTEMPTS || !isTransient(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs * 2 ** (attempt - 1)));
    }
  }
}

/** One RegionCache per (region, account) for a whole scan. */
export class RegionCaches {
  private readonly caches = new Map<string, RegionCache>();
  constructor(private readonly aws: AwsClients) {}

  for(region: string, account: string | undefined): RegionCache {
    const key = `${region}|${account ?? ""}`;
    let cache = this.caches.get(key);
    if (!cache) {
      cache = new RegionCache(this.aws, region, account);
      this.caches.set(key, cache);
    }
    return cache;
  }
}
