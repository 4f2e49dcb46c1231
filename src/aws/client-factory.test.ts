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

describe("AwsClients guarded by a run's fence", () => {
  it("asks the guard before each attempt of a call that may change something, never before a read; a refused call is not sent", async () => {
    const { AwsClients } = await import("./client-factory.js");
    const { SSMClient, GetParameterCommand, PutParameterCommand } = await import("@aws-sdk/client-ssm");
    const sent: string[] = [];
    const aws = await AwsClients.create({
      credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "b" }),
      endpointUrl: "http://127.0.0.1:9",
      onCall: (c) => sent.push(c.operation),
      maxAttempts: 1,
    });
    const asked: string[] = [];
    let refuse = false;
    const run = aws.guarded((call) => {
      asked.push(`${call.service}.${call.operation}`);
      return refuse ? Promise.reject(new Error("the lease was lost")) : Promise.resolve();
    });
    const ssm = run.get(SSMClient, "us-east-1");
    const put = () =>
      ssm.send(new PutParameterCommand({ Name: "/p", Value: "v", Overwrite: true })).then(
        () => new Error("sent and answered"),
        (e: Error) => e,
      );
    const read = () => ssm.send(new GetParameterCommand({ Name: "/p" })).catch((e: Error) => e);
    // Allowed: asked, then sent (and failing on the closed port).
    expect((await put()).message).not.toMatch(/lease/);
    await read();
    expect(asked).toEqual(["SSM.PutParameter"]);
    expect(sent).toEqual(["PutParameter", "GetParameter"]);
    // Refused: the guard's error, and nothing sent; reads go on.
    refuse = true;
    expect((await put()).message).toBe("the lease was lost");
    await read();
    expect(sent).toEqual(["PutParameter", "GetParameter", "GetParameter"]);
    // The clients it was made from are not guarded, and count the view's calls too.
    await aws
      .get(SSMClient, "us-east-1")
      .send(new PutParameterCommand({ Name: "/p", Value: "v", Overwrite: true }))
      .catch(() => undefined);
    expect(asked).toEqual(["SSM.PutParameter", "SSM.PutParameter"]);
    expect(aws.counter.byOperation).toEqual({ "SSM.GetParameter": 2, "SSM.PutParameter": 2 });
    aws.destroy();
  });

  it("tells reads from calls that may change something by the operation's name", async () => {
    const { isReadOperation } = await import("./middleware.js");
    for (const op of [
      "DescribeDBInstances",
      "GetParameter",
      "ListHealthChecks",
      "HeadObject",
      "Query",
      "Scan",
      "BatchGetItem",
      "AssumeRole",
    ])
      expect(isReadOperation(op), op).toBe(true);
    for (const op of [
      "PutParameter",
      "UpdateAutoScalingGroup",
      "ChangeResourceRecordSets",
      "PromoteReadReplica",
      "Publish",
      "Invoke",
      "TransactWriteItems",
      "Getaway",
      "Querying",
    ])
      expect(isReadOperation(op), op).toBe(false);
  });
});

describe("an answer that is not the service's", () => {
  it("is one line naming the endpoint, the call and what came back, never the parser's message", async () => {
    const { createServer } = await import("node:http");
    const server = createServer((_req, res) =>
      res
        .writeHead(404, { "content-type": "text/html" })
        .end("<html><head><title>Not Found</title></head><body><p>nope</body></html>"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const { AwsClients } = await import("./client-factory.js");
    const { mapAwsError } = await import("./errors.js");
    const { DescribeImagesCommand, EC2Client } = await import("@aws-sdk/client-ec2");
    const { ListQueuesCommand, SQSClient } = await import("@aws-sdk/client-sqs");
    const aws = await AwsClients.create({
      credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "b" }),
      endpointUrl: `http://127.0.0.1:${port}`,
      maxAttempts: 1,
    });
    try {
      // EC2 answers XML, SQS JSON: both parsers' failures are caught.
      for (const [call, send] of [
        ["EC2.DescribeImages", () => aws.get(EC2Client, "eu-west-1").send(new DescribeImagesCommand({}))],
        ["SQS.ListQueues", () => aws.get(SQSClient, "eu-west-1").send(new ListQueuesCommand({}))],
      ] as const) {
        const err = await (send as () => Promise<unknown>)().catch((e: unknown) => e);
        const [service = "", operation = ""] = call.split(".");
        const message = mapAwsError(err, { service, operation, region: "eu-west-1" }).message;
        expect(message.split("\n")).toHaveLength(1);
        expect(message).toContain(`http://127.0.0.1:${port} answered ${call} with HTTP 404 text/html`);
        expect(message).not.toMatch(/\$response|Deserialization|mismatched/);
      }
    } finally {
      aws.destroy();
      server.close();
    }
  });
});
