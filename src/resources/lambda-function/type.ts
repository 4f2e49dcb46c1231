/**
 * The Lambda function as a readiness type: a pair of functions compared by configuration,
 * concurrency, failure handling, event sources and, on the standby, its queues' visibility.
 */
import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import type { ResourceType } from "../module.js";
import { lambdaFunctionModule } from "./index.js";
import { lambdaFunctionPairing } from "./pairing.js";

export const lambdaFunctionType = {
  pairing: lambdaFunctionPairing,
  modules: [lambdaFunctionModule],
  // Its quota checks read region-wide usage that other resources change.
  readsState: true,
} as unknown as ResourceType<FunctionConfiguration>;
