import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { layerOf, normalizeFunction, type FunctionExtras } from "./normalize.js";

const none: FunctionExtras = {
  reservedConcurrency: undefined,
  invokeConfig: undefined,
  mappings: [],
  sqsSources: [],
  provisioned: [],
};

/** A ListFunctions item shaped as the Lambda API reference gives it (FunctionConfiguration). */
const config: FunctionConfiguration = {
  FunctionName: "orders-fn-use1",
  FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:orders-fn-use1",
  Runtime: "python3.12",
  Handler: "app.handler",
  MemorySize: 1024,
  Timeout: 60,
  Architectures: ["arm64"],
  EphemeralStorage: { Size: 2048 },
  DeadLetterConfig: { TargetArn: "arn:aws:sqs:us-east-1:123456789012:orders-dlq" },
  VpcConfig: { SubnetIds: ["subnet-a", "subnet-b"], SecurityGroupIds: ["sg-1"], VpcId: "vpc-1" },
  Layers: [{ Arn: "arn:aws:lambda:us-east-1:123456789012:layer:deps:7", CodeSize: 10 }],
  Environment: { Variables: { TABLE: "orders-use1", DB_PASSWORD: "hunter2-secret" } },
};

describe("normalizeFunction", () => {
  it("keeps the meaning of a function and none of its regional or secret values", () => {
    const n = normalizeFunction(config, {
      reservedConcurrency: 20,
      invokeConfig: {
        DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:123456789012:failed" } },
      },
      mappings: [
        { EventSourceArn: "arn:aws:sqs:us-east-1:123456789012:jobs", BatchSize: 10, State: "Enabled" },
        {
          EventSourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/s",
          BatchSize: 100,
          State: "Disabled",
        },
      ],
      sqsSources: [],
      provisioned: [
        {
          FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:orders-use1:live",
          RequestedProvisionedConcurrentExecutions: 10,
          AllocatedProvisionedConcurrentExecutions: 4,
          AvailableProvisionedConcurrentExecutions: 4,
          Status: "IN_PROGRESS",
        },
        {
          FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:orders-use1:7",
          RequestedProvisionedConcurrentExecutions: 5,
          AllocatedProvisionedConcurrentExecutions: 5,
          AvailableProvisionedConcurrentExecutions: 5,
          Status: "READY",
        },
      ],
    });
    expect(n).toEqual({
      runtime: "python3.12",
      architecture: "arm64",
      handler: "app.handler",
      memoryMb: 1024,
      timeoutSeconds: 60,
      ephemeralStorageMb: 2048,
      reservedConcurrency: 20,
      provisionedConcurrency: { live: 10, "published versions": 5 },
      deadLetterQueue: true,
      onFailureDestination: true,
      vpc: { attached: true, subnets: 2, securityGroups: 1 },
      layers: { deps: "7" },
      environmentNames: ["DB_PASSWORD", "TABLE"],
      eventSources: { sqs: ["batch 10, Enabled"], kinesis: ["batch 100, Disabled"] },
      sqsSources: [],
    });
    const text = JSON.stringify(n);
    for (const secret of ["hunter2-secret", "orders-use1", "us-east-1", "123456789012"])
      expect(text).not.toContain(secret);
  });

  it("reads a function outside any VPC, without a dead-letter queue, destination or reserved concurrency", () => {
    const n = normalizeFunction(
      {
        FunctionName: "f",
        PackageType: "Image",
        VpcConfig: { SubnetIds: [], SecurityGroupIds: [], VpcId: "" },
      },
      none,
    );
    expect(n).toMatchObject({
      runtime: "container image",
      architecture: "x86_64",
      reservedConcurrency: null,
      provisionedConcurrency: {},
      deadLetterQueue: false,
      onFailureDestination: false,
      vpc: { attached: false, subnets: 0, securityGroups: 0 },
      layers: {},
      environmentNames: [],
      eventSources: {},
    });
  });

  it("names a layer by its name and version", () => {
    expect(layerOf("arn:aws:lambda:eu-west-1:123456789012:layer:deps:12")).toEqual(["deps", "12"]);
  });
});
