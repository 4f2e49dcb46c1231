/**
 * The API Gateway REST API stage as a readiness type: the stage clients call in each region,
 * compared by its API's endpoint type and size, its deployment, throttling, caching, logging and
 * tracing, never by ids, names or log group ARNs.
 */
import type { ResourceType } from "../module.js";
import { apigatewayStageModule } from "./index.js";
import { apigatewayStagePairing, type ApiStage } from "./pairing.js";

export const apigatewayStageType = {
  pairing: apigatewayStagePairing,
  modules: [apigatewayStageModule],
} as unknown as ResourceType<ApiStage>;
