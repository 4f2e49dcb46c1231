import { CreateVpcCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();
const OTHER = "222222222222";

async function vpcNames(ec2: EC2Client): Promise<string[]> {
  const out = await ec2.send(new DescribeVpcsCommand({}));
  return (out.Vpcs ?? []).flatMap((v) =>
    (v.Tags ?? []).filter((t) => t.Key === "Name").map((t) => t.Value ?? ""),
  );
}

describe("a role assumed into a second account", () => {
  it("acts in that account and sees that account's resources only", async () => {
    const aws = await env.clients({
      accounts: { [OTHER]: { roleArn: `arn:aws:iam::${OTHER}:role/drctl-read` } },
    });
    const home = aws.get(EC2Client, "us-west-2");
    const other = aws.get(EC2Client, "us-west-2", OTHER);
    const tag = (name: string) => [{ ResourceType: "vpc" as const, Tags: [{ Key: "Name", Value: name }] }];
    await home.send(new CreateVpcCommand({ CidrBlock: "10.10.0.0/16", TagSpecifications: tag("home-vpc") }));
    await other.send(
      new CreateVpcCommand({ CidrBlock: "10.20.0.0/16", TagSpecifications: tag("other-account-vpc") }),
    );

    const homeIdentity = await aws.get(STSClient, "us-west-2").send(new GetCallerIdentityCommand({}));
    const otherIdentity = await aws.get(STSClient, "us-west-2", OTHER).send(new GetCallerIdentityCommand({}));
    expect(homeIdentity.Account).toBe("123456789012");
    expect(otherIdentity.Account).toBe(OTHER);
    expect(otherIdentity.Arn).toContain("assumed-role/drctl-read");

    expect(await vpcNames(home)).toEqual(["home-vpc"]);
    expect(await vpcNames(other)).toEqual(["other-account-vpc"]);
    // The role's credentials are fetched once and reused by every client of that account.
    expect(aws.counter.byOperation["STS.AssumeRole"]).toBe(1);
  });

  it("uses the caller's own credentials for an account with no role configured", async () => {
    const aws = await env.clients();
    const identity = await aws
      .get(STSClient, "us-east-1", "333333333333")
      .send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe("123456789012");
    expect(aws.counter.byOperation["STS.AssumeRole"]).toBeUndefined();
  });
});
