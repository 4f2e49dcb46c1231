import {
  APIGatewayClient,
  GetDeploymentCommand,
  paginateGetResources,
  type Resource,
} from "@aws-sdk/client-api-gateway";
import { mapAwsError, NotFoundError } from "../../aws/errors.js";
import type { RegionCache } from "../../aws/region-cache.js";
import { ops } from "../../aws/services.js";
import { normalizeApiStage, type NormalizedApiStage } from "./normalize.js";
import type { ApiStage } from "./pairing.js";

/** Stages (with their tags) listed region-wide; per side the API's resources and the stage's deployment. */
export const APIGATEWAY_STAGE_PERMISSIONS = ops(
  "APIGateway",
  "GetRestApis",
  "GetStages",
  "GetResources",
  "GetDeployment",
);

/** The API's resources with their methods, 500 a page (one call for most APIs). */
async function resourcesOf(cache: RegionCache, restApiId: string): Promise<Resource[]> {
  const out: Resource[] = [];
  try {
    for await (const page of paginateGetResources(
      { client: cache.client(APIGatewayClient), pageSize: 500 },
      { restApiId, embed: ["methods"] },
    ))
      out.push(...(page.items ?? []));
  } catch (err) {
    throw mapAwsError(err, cache.site("APIGateway", "GetResources"));
  }
  return out;
}

/** Whether the stage's deployment exists (a stage whose deployment was deleted serves nothing). */
async function deploymentFound(cache: RegionCache, restApiId: string, deploymentId: string | undefined) {
  if (!deploymentId) return false;
  try {
    await cache.client(APIGatewayClient).send(new GetDeploymentCommand({ restApiId, deploymentId }));
    return true;
  } catch (err) {
    const mapped = mapAwsError(err, cache.site("APIGateway", "GetDeployment"));
    if (mapped instanceof NotFoundError) return false;
    throw mapped;
  }
}

export async function collectApiStage(cache: RegionCache, s: ApiStage): Promise<NormalizedApiStage> {
  const restApiId = s.api.id ?? "";
  const [resources, deployment] = await Promise.all([
    resourcesOf(cache, restApiId),
    deploymentFound(cache, restApiId, s.stage.deploymentId),
  ]);
  return normalizeApiStage(s, { resources, deploymentFound: deployment });
}
