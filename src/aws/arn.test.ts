import { describe, expect, it } from "vitest";
import { ArnError, formatArn, parseArn } from "./arn.js";

describe("parseArn", () => {
  it.each([
    [
      "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/web-001/50dc6c495c0c9188",
      {
        service: "elasticloadbalancing",
        region: "us-west-2",
        account: "123456789012",
        resourceType: "loadbalancer",
        resourceId: "app/web-001/50dc6c495c0c9188",
      },
    ],
    [
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-001-app/73e2d6bc24d8a067",
      {
        service: "elasticloadbalancing",
        resourceType: "targetgroup",
        resourceId: "web-001-app/73e2d6bc24d8a067",
      },
    ],
    [
      "arn:aws:rds:eu-west-1:123456789012:db:app-db",
      { service: "rds", region: "eu-west-1", resourceType: "db", resourceId: "app-db" },
    ],
    [
      "arn:aws:iam::222222222222:role/ops/drctl-read",
      {
        service: "iam",
        region: "",
        account: "222222222222",
        resourceType: "role",
        resourceId: "ops/drctl-read",
      },
    ],
    [
      "arn:aws:s3:::my-bucket",
      { service: "s3", region: "", account: "", resourceType: "", resourceId: "my-bucket" },
    ],
    [
      "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012",
      { service: "acm", resourceType: "certificate", resourceId: "12345678-1234-1234-1234-123456789012" },
    ],
    ["arn:aws:sns:us-east-1:123456789012:alarms", { service: "sns", resourceType: "", resourceId: "alarms" }],
    [
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:*",
      { service: "logs", resourceType: "log-group", resourceId: "/aws/lambda/x:*" },
    ],
    [
      "arn:aws-cn:ec2:cn-north-1:123456789012:vpc/vpc-1",
      { partition: "aws-cn", region: "cn-north-1", resourceType: "vpc" },
    ],
    [
      "arn:aws-us-gov:ec2:us-gov-west-1:123456789012:subnet/subnet-1",
      { partition: "aws-us-gov", resourceId: "subnet-1" },
    ],
  ])("parses %s", (input, expected) => {
    expect(parseArn(input)).toMatchObject(expected);
  });

  it("tolerates the white space people leave around tag values", () => {
    expect(parseArn("  arn:aws:sns:us-east-1:123456789012:t \n").resourceId).toBe("t");
  });

  it("round-trips through formatArn", () => {
    const text = "arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/web/1/2";
    expect(formatArn(parseArn(text))).toBe(text);
  });

  it.each([
    ["", /it is empty/],
    ["   ", /it is empty/],
    ["arn:aws:elasticloadbalancing:us-west-2", /expected 6 colon-separated parts .* found 4/],
    ["aws:aws:ec2:us-east-1:123456789012:vpc/v", /expected it to start with "arn:", found "aws:"/],
    ["arn:amazon:ec2:us-east-1:123456789012:vpc/v", /unknown partition "amazon"/],
    ["arn:aws:EC2:us-east-1:123456789012:vpc/v", /invalid service "EC2"/],
    ["arn:aws:ec2:useast1:123456789012:vpc/v", /invalid region "useast1"/],
    ["arn:aws:ec2:us-east-1:12345:vpc/v", /invalid account "12345" \(expected 12 digits\)/],
    ["arn:aws:ec2:us-east-1:123456789012:", /the resource part is empty/],
    ["arn:aws:ec2:us-east-1:123456789012:vpc/a b", /contains white space/],
  ])("rejects %j with a precise reason", (input, reason) => {
    const parse = () => parseArn(input);
    expect(parse).toThrow(ArnError);
    expect(parse).toThrow(reason);
  });

  it("quotes the input in the message and keeps it on the error", () => {
    try {
      parseArn("arn:aws:ec2");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ArnError);
      expect((err as ArnError).input).toBe("arn:aws:ec2");
      expect((err as ArnError).message).toContain('malformed ARN "arn:aws:ec2"');
      expect((err as ArnError).exitCode).toBe(2);
    }
  });
});
