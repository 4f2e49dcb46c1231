import { describe, expect, it } from "vitest";
import { expandPermission, normalizeSecurityGroups, permissionLabel, type RuleContext } from "./normalize.js";

const ctx: RuleContext = {
  vpcCidrs: ["10.1.0.0/16", "2600:1f14::/56"],
  groupsById: new Map([["sg-1", { GroupId: "sg-1", GroupName: "app" }]]),
  prefixListNames: new Map([["pl-9", "corp-vpn"]]),
};

describe("security group normalization", () => {
  it("writes one rule per source, by meaning", () => {
    expect(
      expandPermission(
        {
          IpProtocol: "6",
          FromPort: 443,
          ToPort: 443,
          IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "ignored" }, { CidrIp: "10.1.0.0/16" }],
          Ipv6Ranges: [{ CidrIpv6: "2600:1f14::/56" }],
          PrefixListIds: [{ PrefixListId: "pl-9" }],
          UserIdGroupPairs: [{ GroupId: "sg-1" }, { GroupId: "sg-7", UserId: "222222222222" }],
        },
        ctx,
      ).map(permissionLabel),
    ).toEqual([
      "tcp 443-443 0.0.0.0/0",
      "tcp 443-443 vpc-cidr",
      "tcp 443-443 vpc-cidr",
      "tcp 443-443 pl:corp-vpn",
      "tcp 443-443 sg:app",
      "tcp 443-443 sg:sg-7@222222222222",
    ]);
    const refs = expandPermission(
      {
        IpProtocol: "tcp",
        FromPort: 1,
        ToPort: 2,
        UserIdGroupPairs: [{ GroupId: "sg-1" }, { GroupId: "sg-7", UserId: "222222222222" }],
      },
      ctx,
    ).map((p) => p.peer);
    // A group of the region is a reference resolved through the pair's twins; another account's is compared as written.
    expect(refs).toEqual([
      { $ref: "security-group", id: "sg-1", name: "app" },
      { $ref: "security-group", id: "sg-7@222222222222", name: "sg-7@222222222222", external: true },
    ]);
  });

  it("treats all traffic and ICMP by their own shapes", () => {
    expect(
      expandPermission({ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }, ctx).map(permissionLabel),
    ).toEqual(["all 0.0.0.0/0"]);
    expect(
      expandPermission(
        { IpProtocol: "icmp", FromPort: 8, ToPort: -1, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        ctx,
      ).map(permissionLabel),
    ).toEqual(["icmp type 8 code -1 0.0.0.0/0"]);
  });

  it("merges the groups of a load balancer into one sorted set, whatever the order", () => {
    const a = normalizeSecurityGroups(
      [
        {
          GroupName: "x",
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          ],
        },
        {
          GroupName: "y",
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          ],
        },
      ],
      ctx,
    );
    const b = normalizeSecurityGroups(
      [
        {
          GroupName: "z",
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
            { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          ],
        },
      ],
      ctx,
    );
    expect(a.ingress).toEqual(b.ingress);
  });
});
