import {
  APIGatewayClient,
  GetDeploymentCommand,
  GetResourcesCommand,
  NotFoundException,
  type RestApi,
  type Stage,
} from "@aws-sdk/client-api-gateway";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RegionCache } from "../src/aws/region-cache.js";
import { SETTINGS } from "../src/core/rule-cases.testing.js";
import { collectApiStage } from "../src/resources/apigateway-stage/collect.js";
import { apigatewayStageRules } from "../src/resources/apigateway-stage/rules.js";
import { mockedAws } from "./harness/mocked-aws.js";

const apigateway = mockClient(APIGatewayClient);
let aws: AwsClients;

beforeAll(async () => {
  aws = await mockedAws();
});

afterEach(() => apigateway.reset());

/** A GetRestApis item and a GetStages item as the API Gateway API reference shapes RestApi and Stage. */
const api = (id: string): RestApi => ({
  id,
  name: `orders-${id}`,
  endpointConfiguration: { types: ["REGIONAL"] },
});
const stage = (deploymentId: string): Stage => ({
  stageName: "live",
  deploymentId,
  methodSettings: {},
  tracingEnabled: false,
  cacheClusterEnabled: false,
});

describe("API Gateway stage reads (aws-sdk-client-mock, API-shaped)", () => {
  it("reports a stage whose deployment is gone under apigateway-stage.deployment (aws-sdk-client-mock, API-shaped: moto answers a missing deployment with an HTML page, not NotFoundException)", async () => {
    apigateway.on(GetResourcesCommand).resolves({
      items: [
        { id: "root01", path: "/" },
        {
          id: "ord001",
          path: "/orders",
          pathPart: "orders",
          resourceMethods: { GET: { httpMethod: "GET" } },
        },
      ],
    });
    apigateway
      .on(GetDeploymentCommand, { restApiId: "prim01", deploymentId: "dep001" })
      .resolves({ id: "dep001", createdDate: new Date("2026-11-01T00:00:00Z") })
      .on(GetDeploymentCommand, { restApiId: "stby01", deploymentId: "dep404" })
      .rejects(new NotFoundException({ message: "Invalid Deployment identifier specified", $metadata: {} }));
    const [primary, standby] = await Promise.all([
      collectApiStage(new RegionCache(aws, "us-east-1", undefined), {
        api: api("prim01"),
        stage: stage("dep001"),
      }),
      collectApiStage(new RegionCache(aws, "eu-west-1", undefined), {
        api: api("stby01"),
        stage: stage("dep404"),
      }),
    ]);
    expect([primary.deployment, standby.deployment]).toEqual([true, false]);
    expect([primary.resources, primary.methods]).toEqual([2, 1]);
    const found = apigatewayStageRules.flatMap((r) =>
      r.check(primary, standby, SETTINGS).map((d) => [r.id, d.message]),
    );
    expect(found).toEqual([
      [
        "apigateway-stage.deployment",
        "the standby stage has no deployment it can serve (the primary's has one)",
      ],
    ]);
  });

  it("fails the read (never reports drift) when the deployment cannot be read for another reason (aws-sdk-client-mock, API-shaped)", async () => {
    apigateway.on(GetResourcesCommand).resolves({ items: [{ id: "root01", path: "/" }] });
    apigateway.on(GetDeploymentCommand).rejects(
      Object.assign(new Error("User is not authorized to perform: apigateway:GET"), {
        name: "AccessDeniedException",
        $metadata: { httpStatusCode: 403 },
      }),
    );
    await expect(
      collectApiStage(new RegionCache(aws, "eu-west-1", undefined), {
        api: api("stby01"),
        stage: stage("dep001"),
      }),
    ).rejects.toThrow(/GetDeployment/);
  });
});
