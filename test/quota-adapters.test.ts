/**
 * The Lambda concurrency quota check through its reads, on responses shaped as the Lambda and
 * Service Quotas API references have them: the emulator answers neither GetAccountSettings nor
 * Service Quotas for lambda L-B99A9384.
 */
import {
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionEventInvokeConfigCommand,
  LambdaClient,
  LambdaServiceException,
  ListEventSourceMappingsCommand,
  ListProvisionedConcurrencyConfigsCommand,
  ResourceNotFoundException,
  type FunctionConfiguration,
} from "@aws-sdk/client-lambda";
import {
  AccessDeniedException,
  GetServiceQuotaCommand,
  ServiceQuotasClient,
} from "@aws-sdk/client-service-quotas";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RegionCache } from "../src/aws/region-cache.js";
import { SETTINGS } from "../src/core/rule-cases.testing.js";
import { collectFunction } from "../src/resources/lambda-function/collect.js";
import { lambdaFunctionRules } from "../src/resources/lambda-function/rules.js";
import { Side } from "../src/resources/side.js";
import { mockedAws } from "./harness/mocked-aws.js";

const lambda = mockClient(LambdaClient);
const sq = mockClient(ServiceQuotasClient);
let aws: AwsClients;

beforeAll(async () => {
  aws = await mockedAws();
});
afterEach(() => {
  lambda.reset();
  sq.reset();
});
afterAll(() => {
  lambda.restore();
  sq.restore();
  aws.destroy();
});

const fn = (name: string, region: string): FunctionConfiguration => ({
  FunctionName: name,
  FunctionArn: `arn:aws:lambda:${region}:123456789012:function:${name}`,
  Runtime: "nodejs20.x",
  Handler: "index.handler",
  MemorySize: 512,
  Timeout: 30,
  PackageType: "Zip",
  Architectures: ["x86_64"],
  EphemeralStorage: { Size: 512 },
});

/**
 * The primary reserves `primary`, the standby `standby` (GetFunctionConcurrency); no invoke config,
 * no mappings, no provisioned concurrency.
 */
function functions(primary: number, standby: number) {
  lambda
    .on(GetFunctionConcurrencyCommand, { FunctionName: "orders-fn-use1" })
    .resolves({ ReservedConcurrentExecutions: primary })
    .on(GetFunctionConcurrencyCommand, { FunctionName: "orders-fn-euw1" })
    .resolves({ ReservedConcurrentExecutions: standby })
    .on(GetFunctionEventInvokeConfigCommand)
    .rejects(
      new ResourceNotFoundException({
        message: "The function doesn't have an EventInvokeConfig",
        $metadata: { httpStatusCode: 404 },
      }),
    )
    .on(ListEventSourceMappingsCommand)
    .resolves({ EventSourceMappings: [] })
    .on(ListProvisionedConcurrencyConfigsCommand)
    .resolves({ ProvisionedConcurrencyConfigs: [] });
}

/** GetAccountSettings as the Lambda API reference shapes it. */
const accountSettings = (limit: number, unreserved: number) =>
  lambda.on(GetAccountSettingsCommand).resolves({
    AccountLimit: {
      TotalCodeSize: 80530636800,
      CodeSizeUnzipped: 262144000,
      CodeSizeZipped: 52428800,
      ConcurrentExecutions: limit,
      UnreservedConcurrentExecutions: unreserved,
    },
    AccountUsage: { TotalCodeSize: 1024, FunctionCount: 12 },
  });

async function compare() {
  const side = (role: "primary" | "standby", region: string, name: string) => {
    const anchor = fn(name, region);
    return new Side(role, anchor.FunctionArn ?? "", anchor, new RegionCache(aws, region, undefined));
  };
  const [p, s] = await Promise.all([
    collectFunction(side("primary", "us-east-1", "orders-fn-use1")),
    collectFunction(side("standby", "eu-west-1", "orders-fn-euw1")),
  ]);
  const rule = lambdaFunctionRules.find((r) => r.id === "lambda-function.concurrency-quota");
  return rule?.check(p, s, SETTINGS) ?? [];
}

describe("the primary's reserved concurrency in the standby's account (aws-sdk-client-mock, API-shaped: moto lacks GetAccountSettings and Service Quotas for lambda)", () => {
  it("does not fit: other functions reserve too much of the applied quota; says the increase to request", async () => {
    functions(400, 100);
    // 1000 of which 500 unreserved: 500 reserved, 100 of them by the standby itself, 400 by others.
    accountSettings(1000, 500);
    sq.on(GetServiceQuotaCommand, { ServiceCode: "lambda", QuotaCode: "L-B99A9384" }).resolves({
      Quota: {
        ServiceCode: "lambda",
        ServiceName: "AWS Lambda",
        QuotaArn: "arn:aws:servicequotas:eu-west-1:123456789012:lambda/L-B99A9384",
        QuotaCode: "L-B99A9384",
        QuotaName: "Concurrent executions",
        Value: 700,
        Unit: "None",
        Adjustable: true,
        GlobalQuota: false,
      },
    });
    const found = await compare();
    expect(found.map((d) => d.message)).toEqual([
      "the primary reserves 400 concurrent executions, but in eu-west-1 the account's 700 (quota L-B99A9384) less 400 reserved by other functions " +
        "and the 100 AWS keeps unreserved leave 200 for the standby: " +
        "aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value 900 --region eu-west-1",
    ]);
    expect(found[0]?.severity).toBeUndefined(); // the rule's: high
  });

  it("fits within what GetAccountSettings says when Service Quotas is denied", async () => {
    functions(400, 100);
    accountSettings(1000, 500); // 1000 - 400 others - 100 = 500 >= 400
    sq.on(GetServiceQuotaCommand).rejects(
      new AccessDeniedException({ message: "not allowed", $metadata: { httpStatusCode: 400 } }),
    );
    expect(await compare()).toEqual([]);
  });

  it("a standby that already reserves as much needs nothing more of its account, read or not", async () => {
    functions(400, 400);
    sq.on(GetServiceQuotaCommand).rejects(
      new AccessDeniedException({ message: "not allowed", $metadata: { httpStatusCode: 400 } }),
    );
    expect(await compare()).toEqual([]);
    expect(lambda.commandCalls(GetAccountSettingsCommand)).toHaveLength(1); // read, not needed
  });

  it("what others reserve cannot be read: a low finding saying so, never a pass", async () => {
    functions(400, 100);
    lambda
      .on(GetAccountSettingsCommand)
      // Lambda answers a missing lambda:GetAccountSettings permission with AccessDeniedException (HTTP 403).
      .rejects(
        new LambdaServiceException({
          name: "AccessDeniedException",
          $fault: "client",
          message: "User is not authorized to perform: lambda:GetAccountSettings",
          $metadata: { httpStatusCode: 403 },
        }),
      );
    sq.on(GetServiceQuotaCommand).rejects(
      new AccessDeniedException({ message: "not allowed", $metadata: { httpStatusCode: 400 } }),
    );
    const found = await compare();
    expect(found.map((d) => d.severity)).toEqual(["low"]);
    expect(found[0]?.message).toMatch(
      /quota L-B99A9384 \(Concurrent executions\) could not be checked in eu-west-1: what the region's functions reserve could not be read \(access denied to Lambda.GetAccountSettings in eu-west-1/,
    );
  });
});
