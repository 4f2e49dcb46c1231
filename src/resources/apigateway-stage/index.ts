import { oneTwin, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { APIGATEWAY_STAGE_PERMISSIONS, collectApiStage } from "./collect.js";
import type { NormalizedApiStage } from "./normalize.js";
import type { ApiStage } from "./pairing.js";
import { apigatewayStageRules } from "./rules.js";

export const apigatewayStageCollector: Collector<NormalizedApiStage, ApiStage> = {
  type: "apigateway-stage",
  collect: (side) => collectApiStage(side.cache, side.anchor),
};

export const apigatewayStageModule: ResourceModule<NormalizedApiStage, ApiStage> = {
  type: "apigateway-stage",
  title: "API Gateway stage",
  permissions: APIGATEWAY_STAGE_PERMISSIONS,
  rules: apigatewayStageRules,
  twins: oneTwin(apigatewayStageCollector),
};
