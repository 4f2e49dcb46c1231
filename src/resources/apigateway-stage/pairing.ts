/**
 * How REST API stages pair. Stages carry their own tags (GetStages returns them), and the tagging
 * API is not relied on for them: a region's stages are listed once per run (GetRestApis, 500 a
 * page, then GetStages once per API) and that one listing finds the tagged primaries and
 * describes stages by ARN (arn:aws:apigateway:region::/restapis/{id}/stages/{name}).
 */
import {
  APIGatewayClient,
  GetStagesCommand,
  paginateGetRestApis,
  type RestApi,
  type Stage,
} from "@aws-sdk/client-api-gateway";
import { formatArn, type Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { mapAwsError, NotFoundError } from "../../aws/errors.js";
import type { RegionCache, RegionList } from "../../aws/region-cache.js";
import type { PairKind, Tagged } from "../../pairs/kind.js";
import { isTaggedPrimary } from "../../pairs/tagging-api.js";
import { pairingCache } from "../../aws/region-cache.js";
import { ownsApiStage } from "../owns.js";

/** A stage with the REST API it belongs to. */
export interface ApiStage {
  api: RestApi;
  stage: Stage;
}

export const stageArn = (region: string, apiId: string, stageName: string) =>
  `arn:aws:apigateway:${region}::/restapis/${apiId}/stages/${stageName}`;

async function* stagesOf(cache: RegionCache): AsyncIterable<ApiStage[]> {
  const client = cache.client(APIGatewayClient);
  for await (const page of paginateGetRestApis({ client, pageSize: 500 }, {}))
    for (const api of page.items ?? []) {
      try {
        const out = await client.send(new GetStagesCommand({ restApiId: api.id }));
        yield (out.item ?? []).map((stage) => ({ api, stage }));
      } catch (err) {
        throw mapAwsError(err, cache.site("APIGateway", "GetStages"));
      }
    }
}

/** Every stage of every REST API of a region, by the stage's ARN less its region (the key is per region). */
export const API_STAGES: RegionList<ApiStage> = {
  name: "apigateway-stages",
  service: "APIGateway",
  operation: "GetRestApis",
  pages: stagesOf,
  key: ({ api, stage }) => `/restapis/${api.id ?? ""}/stages/${stage.stageName ?? ""}`,
};

export const apiStageName = ({ api, stage }: ApiStage) =>
  `${api.name ?? api.id ?? ""}/${stage.stageName ?? ""}`;

/** Stages by ARN from their regions' listings: a stage the listing lacks is not found. */
async function describe(aws: AwsClients, arns: readonly Arn[]): Promise<Map<string, ApiStage | Error>> {
  const result = new Map<string, ApiStage | Error>();
  await Promise.all(
    arns.map(async (arn) => {
      const text = formatArn(arn);
      const cache = pairingCache(aws, arn.region, arn.account || undefined);
      try {
        const found = (await cache.list(API_STAGES)).get(arn.resource);
        const site = cache.site("APIGateway", "GetStages");
        const missing = `not found: API Gateway stage ${arn.resource} in ${arn.region}`;
        result.set(text, found ?? new NotFoundError(missing, site, "NotFoundException", undefined));
      } catch (err) {
        result.set(text, err as Error);
      }
    }),
  );
  return result;
}

/** The region's stages tagged as primaries, from the same listing describe reads. */
async function tagged(aws: AwsClients, region: string) {
  const stages = await pairingCache(aws, region, undefined).list(API_STAGES);
  const found: Tagged<ApiStage>[] = [...stages.values()]
    .filter(({ stage }) => isTaggedPrimary(stage.tags ?? {}))
    .map((s) => ({
      arn: stageArn(region, s.api.id ?? "", s.stage.stageName ?? ""),
      name: apiStageName(s),
      resource: s,
      tags: s.stage.tags ?? {},
    }));
  return { found, findings: [] };
}

export const apigatewayStagePairing: PairKind<ApiStage> = {
  type: "apigateway-stage",
  title: "API Gateway stage",
  owns: ownsApiStage,
  tagged,
  describe,
  nameOf: apiStageName,
};

export { ownsApiStage };
