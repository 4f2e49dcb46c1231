import { describe, expect, it } from "vitest";

describe("AwsClients rate-limit keys", () => {
  it("shares one bucket between 'no account' and an account reached with the same credentials", async () => {
    const { AwsClients } = await import("./client-factory.js");
    const { ElasticLoadBalancingV2Client } = await import("@aws-sdk/client-elastic-load-balancing-v2");
    const seen: string[] = [];
    const aws = await AwsClients.create({
      credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "b" }),
      endpointUrl: "http://127.0.0.1:9",
      accounts: { "222222222222": { roleArn: "arn:aws:iam::222222222222:role/r" } },
      onCall: (c) => seen.push(c.account),
      maxAttempts: 1,
    });
    const { DescribeLoadBalancersCommand } = await import("@aws-sdk/client-elastic-load-balancing-v2");
    const attempt = (account?: string) =>
      aws
        .get(ElasticLoadBalancingV2Client, "us-east-1", account)
        .send(new DescribeLoadBalancersCommand({}))
        .catch(() => undefined);
    await attempt();
    await attempt("123456789012");
    expect(seen).toEqual(["home", "home"]);
    // the client for the caller's own account id is the same client
    expect(aws.get(ElasticLoadBalancingV2Client, "us-east-1", "123456789012")).toBe(
      aws.get(ElasticLoadBalancingV2Client, "us-east-1"),
    );
    aws.destroy();
  });
});
