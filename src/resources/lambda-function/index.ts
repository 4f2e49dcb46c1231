import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import { oneTwin, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { collectFunction, LAMBDA_FUNCTION_PERMISSIONS } from "./collect.js";
import type { NormalizedFunction } from "./normalize.js";
import { lambdaFunctionRules } from "./rules.js";

export const lambdaFunctionCollector: Collector<NormalizedFunction, FunctionConfiguration> = {
  type: "lambda-function",
  collect: collectFunction,
};

export const lambdaFunctionModule: ResourceModule<NormalizedFunction, FunctionConfiguration> = {
  type: "lambda-function",
  title: "Lambda function",
  permissions: LAMBDA_FUNCTION_PERMISSIONS,
  rules: lambdaFunctionRules,
  twins: oneTwin(lambdaFunctionCollector),
};
