import {
  GetFunctionConcurrencyCommand,
  GetFunctionEventInvokeConfigCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
  ListProvisionedConcurrencyConfigsCommand,
  ResourceNotFoundException,
  type FunctionConfiguration,
} from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseArn } from "../src/aws/arn.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RegionCache } from "../src/aws/region-cache.js";
import { SETTINGS } from "../src/core/rule-cases.testing.js";
import { collectFunction } from "../src/resources/lambda-function/collect.js";
import { lambdaFunctionPairing } from "../src/resources/lambda-function/pairing.js";
import { lambdaFunctionRules } from "../src/resources/lambda-function/rules.js";
import { Side } from "../src/resources/side.js";
import { mockedAws } from "./harness/mocked-aws.js";

const lambda = mockClient(LambdaClient);
let aws: AwsClients;

beforeAll(async () => {
  aws = await mockedAws();
});

afterEach(() => lambda.reset());

/** A ListFunctions item as the Lambda API reference shapes FunctionConfiguration. */
const configuration = (name: string, region: string, dlq: boolean): FunctionConfiguration => ({
  FunctionName: name,
  FunctionArn: `arn:aws:lambda:${region}:123456789012:function:${name}`,
  Runtime: "nodejs20.x",
  Handler: "index.handler",
  MemorySize: 512,
  Timeout: 30,
  PackageType: "Zip",
  Architectures: ["x86_64"],
  EphemeralStorage: { Size: 512 },
  ...(dlq ? { DeadLetterConfig: { TargetArn: `arn:aws:sqs:${region}:123456789012:${name}-dlq` } } : {}),
});

describe("Lambda function reads (aws-sdk-client-mock, API-shaped)", () => {
  it("reads DeadLetterConfig from the paged ListFunctions and reports a standby without one (aws-sdk-client-mock, API-shaped: moto lacks DeadLetterConfig in its function configurations)", async () => {
    lambda
      .on(ListFunctionsCommand, { Marker: undefined })
      .resolves({ Functions: [configuration("filler", "eu-west-1", false)], NextMarker: "page-2" })
      .on(ListFunctionsCommand, { Marker: "page-2" })
      .resolves({ Functions: [configuration("orders-fn-euw1", "eu-west-1", false)] });
    const standbyArn = "arn:aws:lambda:eu-west-1:123456789012:function:orders-fn-euw1";
    const read = await lambdaFunctionPairing.describe(aws, [parseArn(standbyArn)]);
    const standby = read.get(standbyArn);
    expect(standby).toMatchObject({ FunctionName: "orders-fn-euw1" });

    lambda
      .on(GetFunctionConcurrencyCommand)
      .resolves({})
      .on(GetFunctionEventInvokeConfigCommand)
      .rejects(
        new ResourceNotFoundException({
          message: "The function orders-fn-euw1 doesn't have an EventInvokeConfig",
          $metadata: { httpStatusCode: 404 },
        }),
      )
      .on(ListEventSourceMappingsCommand)
      .resolves({ EventSourceMappings: [] })
      .on(ListProvisionedConcurrencyConfigsCommand)
      .resolves({ ProvisionedConcurrencyConfigs: [] });
    const side = (role: "primary" | "standby", region: string, anchor: FunctionConfiguration) =>
      new Side(role, anchor.FunctionArn ?? "", anchor, new RegionCache(aws, region, undefined));
    const [p, s] = await Promise.all([
      collectFunction(side("primary", "us-east-1", configuration("orders-fn-use1", "us-east-1", true))),
      collectFunction(side("standby", "eu-west-1", standby as FunctionConfiguration)),
    ]);
    expect([p.deadLetterQueue, s.deadLetterQueue, s.onFailureDestination]).toEqual([true, false, false]);
    const found = lambdaFunctionRules.flatMap((r) => r.check(p, s, SETTINGS).map((d) => [r.id, d.message]));
    expect(found).toEqual([
      ["lambda-function.dead-letter-queue", "the standby's dead-letter queue is not set, the primary's set"],
    ]);
  });

  it("reads the provisioned concurrency of every alias and version over pages, and finds the standby's lower, alias by alias (aws-sdk-client-mock, API-shaped: moto lacks ListProvisionedConcurrencyConfigs)", async () => {
    const config = (
      region: string,
      qualifier: string,
      requested: number,
      status: "READY" | "IN_PROGRESS",
    ) => ({
      FunctionArn: `arn:aws:lambda:${region}:123456789012:function:orders-fn:${qualifier}`,
      RequestedProvisionedConcurrentExecutions: requested,
      AvailableProvisionedConcurrentExecutions: status === "READY" ? requested : 0,
      AllocatedProvisionedConcurrentExecutions: status === "READY" ? requested : 0,
      Status: status,
      LastModified: "2026-12-01T10:00:00.000+0000",
    });
    lambda
      .on(GetFunctionConcurrencyCommand)
      .resolves({})
      .on(GetFunctionEventInvokeConfigCommand)
      .resolves({})
      .on(ListEventSourceMappingsCommand)
      .resolves({ EventSourceMappings: [] })
      .on(ListProvisionedConcurrencyConfigsCommand, { FunctionName: "orders-fn-use1", Marker: undefined })
      .resolves({
        ProvisionedConcurrencyConfigs: [config("us-east-1", "live", 10, "READY")],
        NextMarker: "p2",
      })
      .on(ListProvisionedConcurrencyConfigsCommand, { FunctionName: "orders-fn-use1", Marker: "p2" })
      .resolves({ ProvisionedConcurrencyConfigs: [config("us-east-1", "7", 5, "IN_PROGRESS")] })
      .on(ListProvisionedConcurrencyConfigsCommand, { FunctionName: "orders-fn-euw1" })
      .resolves({ ProvisionedConcurrencyConfigs: [config("eu-west-1", "live", 4, "READY")] });
    const side = (role: "primary" | "standby", region: string, anchor: FunctionConfiguration) =>
      new Side(role, anchor.FunctionArn ?? "", anchor, new RegionCache(aws, region, undefined));
    const [p, s] = await Promise.all([
      collectFunction(side("primary", "us-east-1", configuration("orders-fn-use1", "us-east-1", false))),
      collectFunction(side("standby", "eu-west-1", configuration("orders-fn-euw1", "eu-west-1", false))),
    ]);
    expect([p.provisionedConcurrency, s.provisionedConcurrency]).toEqual([
      { live: 10, "published versions": 5 },
      { live: 4 },
    ]);
    const found = lambdaFunctionRules.flatMap((r) => r.check(p, s, SETTINGS).map((d) => [r.id, d.message]));
    expect(found).toEqual([
      [
        "lambda-function.provisioned-concurrency",
        "the standby's provisioned concurrency on alias live is 4 executions, the primary's 10 executions",
      ],
      [
        "lambda-function.provisioned-concurrency",
        "the standby's provisioned concurrency is none on aliases and versions the primary does not name alike (none), the primary's 5 executions (published versions)",
      ],
    ]);
  });

  it("says a function missing from its region's listing does not exist (aws-sdk-client-mock, API-shaped)", async () => {
    lambda.on(ListFunctionsCommand).resolves({ Functions: [configuration("other", "eu-west-1", false)] });
    const arn = "arn:aws:lambda:eu-west-1:123456789012:function:gone";
    const read = await lambdaFunctionPairing.describe(aws, [parseArn(arn)]);
    expect((read.get(arn) as Error).constructor.name).toBe("NotFoundError");
  });
});
