/**
 * REST API stage pairs on APIs named otherwise per region, each logging to its region's log group:
 * twins alike in meaning, and a planted difference. A pair is named as the scan names a stage
 * ("{api name}/{stage}").
 */
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  TagResourceCommand,
  UpdateStageCommand,
  type EndpointType,
  type PatchOperation,
} from "@aws-sdk/client-api-gateway";
import type { AwsClients } from "../../../src/aws/client-factory.js";
import { callerAccount, drTags, required, twinNames, type BuiltPairs, type PairRegions } from "./common.js";

export interface StageShape {
  endpointType: EndpointType;
  /** Methods on /orders. */
  methods: string[];
  rateLimit: number;
  cacheCluster: boolean;
  logLevel: string;
  tracing: boolean;
}

export const STAGE: StageShape = {
  endpointType: "REGIONAL",
  methods: ["GET", "POST"],
  rateLimit: 100,
  cacheCluster: true,
  logLevel: "INFO",
  tracing: true,
};

/** Every stage is called this. */
export const STAGE_NAME = "live";

export const stageArn = (region: string, apiId: string, stage: string) =>
  `arn:aws:apigateway:${region}::/restapis/${apiId}/stages/${stage}`;

const replace = (path: string, value: string): PatchOperation => ({ op: "replace", path, value });

function stageSettings(at: { account: string; region: string }, shape: StageShape): PatchOperation[] {
  const logGroup = `arn:aws:logs:${at.region}:${at.account}:log-group:api-access`;
  return [
    replace("/*/*/throttling/rateLimit", String(shape.rateLimit)),
    replace("/*/*/throttling/burstLimit", "200"),
    replace("/*/*/logging/loglevel", shape.logLevel),
    replace("/*/*/metrics/enabled", "true"),
    replace("/tracingEnabled", String(shape.tracing)),
    replace("/cacheClusterEnabled", String(shape.cacheCluster)),
    ...(shape.cacheCluster ? [replace("/cacheClusterSize", "0.5")] : []),
    replace("/*/*/caching/enabled", "true"),
    replace("/*/*/caching/ttlInSeconds", "300"),
    replace("/accessLogSettings/destinationArn", logGroup),
    replace("/accessLogSettings/format", "$context.requestId"),
  ];
}

/**
 * A REST API named `name` with /orders and its methods, deployed to stage "live" and set up as
 * `shape` says, the stage tagged with `tags` when given; the stage's ARN and the API's id.
 */
export async function createApiStage(
  aws: AwsClients,
  at: { account: string; region: string },
  name: string,
  shape: StageShape,
  tags?: Record<string, string>,
): Promise<{ arn: string; restApiId: string }> {
  const client = aws.get(APIGatewayClient, at.region);
  const created = await client.send(
    new CreateRestApiCommand({ name, endpointConfiguration: { types: [shape.endpointType] } }),
  );
  const restApiId = required(created.id, `id for REST API ${name}`);
  const root = (await client.send(new GetResourcesCommand({ restApiId }))).items?.[0]?.id;
  const orders = await client.send(
    new CreateResourceCommand({ restApiId, parentId: root, pathPart: "orders" }),
  );
  for (const httpMethod of shape.methods) {
    const method = { restApiId, resourceId: orders.id, httpMethod };
    await client.send(new PutMethodCommand({ ...method, authorizationType: "NONE" }));
    await client.send(new PutIntegrationCommand({ ...method, type: "MOCK" }));
  }
  await client.send(new CreateDeploymentCommand({ restApiId, stageName: STAGE_NAME }));
  await client.send(
    new UpdateStageCommand({ restApiId, stageName: STAGE_NAME, patchOperations: stageSettings(at, shape) }),
  );
  const arn = stageArn(at.region, restApiId, STAGE_NAME);
  if (tags) await client.send(new TagResourceCommand({ resourceArn: arn, tags }));
  return { arn, restApiId };
}

/** The standby's stage with `standby` over STAGE, then its tagged primary's shaped STAGE. */
export async function createApiStagePair(
  aws: AwsClients,
  r: PairRegions & { account: string },
  names: { primary: string; standby: string },
  standby: Partial<StageShape> = {},
) {
  const { account } = r;
  const standbyStage = await createApiStage(aws, { account, region: r.standbyRegion }, names.standby, {
    ...STAGE,
    ...standby,
  });
  const primary = await createApiStage(
    aws,
    { account, region: r.primaryRegion },
    names.primary,
    STAGE,
    drTags(standbyStage.arn),
  );
  return { name: `${names.primary}/${STAGE_NAME}`, primaryArn: primary.arn, standbyArn: standbyStage.arn };
}

export async function buildApigatewayStagePairs(aws: AwsClients, r: PairRegions): Promise<BuiltPairs> {
  const at = { ...r, account: await callerAccount(aws) };
  const identical = [await createApiStagePair(aws, at, twinNames("casing", "storefront", r))];
  const planted = [
    {
      ...(await createApiStagePair(aws, at, twinNames("region-code", "checkout", r), { rateLimit: 20 })),
      ruleId: "apigateway-stage.throttling",
    },
  ];
  return { type: "apigateway-stage", identical, planted };
}
