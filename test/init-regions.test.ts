/**
 * Which regions drctl init reads. The emulator answers DescribeRegions with every partition's
 * regions and never an opted-in one, so the adapter is tested on answers shaped as the EC2 API
 * reference's DescribeRegions.
 */
import { DescribeRegionsCommand, EC2Client, type DescribeRegionsResult } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { chooseRegions } from "../src/init/regions.js";
import { mockedAws } from "./harness/mocked-aws.js";

const ec2 = mockClient(EC2Client);
afterEach(() => ec2.reset());

const clients = () => mockedAws({ maxAttempts: 1 });

const REGIONS: DescribeRegionsResult = {
  Regions: [
    { RegionName: "us-east-1", Endpoint: "ec2.us-east-1.amazonaws.com", OptInStatus: "opt-in-not-required" },
    { RegionName: "eu-west-1", Endpoint: "ec2.eu-west-1.amazonaws.com", OptInStatus: "opt-in-not-required" },
    { RegionName: "ap-east-1", Endpoint: "ec2.ap-east-1.amazonaws.com", OptInStatus: "not-opted-in" },
    { RegionName: "me-south-1", Endpoint: "ec2.me-south-1.amazonaws.com", OptInStatus: "opted-in" },
  ],
};

describe("drctl init's regions (aws-sdk-client-mock, API-shaped: moto lacks opted-in regions)", () => {
  it("without --regions: every enabled region, opted-in ones included, asked with AllRegions", async () => {
    ec2.on(DescribeRegionsCommand).resolves(REGIONS);
    const aws = await clients();
    const choice = await chooseRegions(aws, [], "us-east-1");
    aws.destroy();
    expect(choice.regions).toEqual(["eu-west-1", "me-south-1", "us-east-1"]);
    expect(ec2.commandCalls(DescribeRegionsCommand)[0]?.args[0].input).toEqual({ AllRegions: true });
  });

  it("without --regions, the emulator's other partitions are not the account's", async () => {
    ec2.on(DescribeRegionsCommand).resolves({
      Regions: [
        ...(REGIONS.Regions ?? []),
        { RegionName: "cn-north-1", OptInStatus: "opt-in-not-required" },
        { RegionName: "us-gov-west-1", OptInStatus: "opt-in-not-required" },
      ],
    });
    const aws = await clients();
    const choice = await chooseRegions(aws, [], "us-east-1");
    aws.destroy();
    expect(choice.regions).not.toContain("cn-north-1");
    expect(choice.regions).not.toContain("us-gov-west-1");
  });

  it("with --regions: one not enabled is skipped with the reason, the others kept in order", async () => {
    ec2.on(DescribeRegionsCommand).resolves(REGIONS);
    const aws = await clients();
    const choice = await chooseRegions(aws, ["eu-west-1", "ap-east-1", "us-east-1"], "us-east-1");
    aws.destroy();
    expect(choice.regions).toEqual(["eu-west-1", "us-east-1"]);
    expect(choice.skipped).toEqual([
      {
        region: "ap-east-1",
        reason: "not enabled in this account (not-opted-in): enable it, or leave it out",
      },
    ]);
  });

  it("with --regions and DescribeRegions denied: the regions as given, and the file says they were not checked", async () => {
    ec2.on(DescribeRegionsCommand).rejects(
      Object.assign(new Error("You are not authorized to perform this operation."), {
        name: "UnauthorizedOperation",
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const aws = await clients();
    const choice = await chooseRegions(aws, ["eu-west-1", "us-east-1"], "us-east-1");
    aws.destroy();
    expect(choice.regions).toEqual(["eu-west-1", "us-east-1"]);
    expect(choice.how).toMatch(/^as given \(could not check them: .*not authorized/);
  });
});
