import {
  EC2Client,
  paginateDescribeManagedPrefixLists,
  paginateDescribeSecurityGroups,
  paginateDescribeVpcs,
  type ManagedPrefixList,
  type SecurityGroup,
  type Vpc,
} from "@aws-sdk/client-ec2";
import type { RegionList } from "../../aws/region-cache.js";

/** Every security group of the region by id. */
export const SECURITY_GROUPS: RegionList<SecurityGroup> = {
  name: "security-groups",
  service: "EC2",
  operation: "DescribeSecurityGroups",
  async *pages(cache) {
    for await (const page of paginateDescribeSecurityGroups(
      { client: cache.client(EC2Client) },
      { MaxResults: 1000 },
    ))
      yield page.SecurityGroups ?? [];
  },
  key: (sg) => sg.GroupId ?? "",
};

/** VPC id -> its IPv4 and IPv6 CIDR blocks, so a rule allowing "the VPC" compares by meaning. */
export const VPC_CIDRS: RegionList<Vpc, readonly string[]> = {
  name: "vpc-cidrs",
  service: "EC2",
  operation: "DescribeVpcs",
  async *pages(cache) {
    for await (const page of paginateDescribeVpcs({ client: cache.client(EC2Client) }, {}))
      yield page.Vpcs ?? [];
  },
  key: (vpc) => vpc.VpcId ?? "",
  value: (vpc) =>
    [
      ...(vpc.CidrBlockAssociationSet ?? []).map((c) => c.CidrBlock ?? ""),
      ...(vpc.Ipv6CidrBlockAssociationSet ?? []).map((c) => c.Ipv6CidrBlock ?? ""),
      ...(vpc.CidrBlock ? [vpc.CidrBlock] : []),
    ].filter(Boolean),
};

/** Prefix list id -> name (AWS-managed lists have per-region ids and the same name). */
export const PREFIX_LIST_NAMES: RegionList<ManagedPrefixList, string> = {
  name: "prefix-list-names",
  service: "EC2",
  operation: "DescribeManagedPrefixLists",
  async *pages(cache) {
    for await (const page of paginateDescribeManagedPrefixLists({ client: cache.client(EC2Client) }, {}))
      yield page.PrefixLists ?? [];
  },
  key: (pl) => pl.PrefixListId ?? "",
  value: (pl) => pl.PrefixListName ?? "",
};
