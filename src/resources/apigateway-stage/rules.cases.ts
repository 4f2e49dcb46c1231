import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedApiStage } from "./normalize.js";

const stage = (over: Partial<NormalizedApiStage> = {}): NormalizedApiStage => ({
  endpointType: "REGIONAL",
  resources: 3,
  methods: 4,
  deployment: true,
  throttling: { "*/*": { rateLimit: 100, burstLimit: 200 } },
  caching: {
    cluster: true,
    clusterSize: "0.5",
    methods: { "*/*": { enabled: true, ttlSeconds: 300, encrypted: true } },
  },
  logging: {
    accessLog: true,
    accessLogFormat: "$context.requestId",
    methods: { "*/*": { level: "INFO", dataTrace: false, metrics: true } },
  },
  tracing: true,
  ...over,
});

export const cases: RuleCases<NormalizedApiStage> = {
  "apigateway-stage.deployment": {
    pass: [stage(), stage()],
    fail: [stage(), stage({ deployment: false })],
    paths: ["deployment"],
  },
  "apigateway-stage.endpoint-type": {
    pass: [stage(), stage()],
    fail: [stage(), stage({ endpointType: "PRIVATE" })],
    paths: ["endpointType"],
  },
  "apigateway-stage.routes": {
    pass: [stage(), stage()],
    fail: [stage(), stage({ resources: 2, methods: 3 })],
    paths: ["resources", "methods"],
  },
  "apigateway-stage.throttling": {
    pass: [stage(), stage()],
    fail: [
      stage(),
      stage({
        throttling: {
          "*/*": { rateLimit: 10, burstLimit: 200 },
          "orders/GET": { rateLimit: 5, burstLimit: 5 },
        },
      }),
    ],
    paths: ["throttling.*/*", "throttling.orders/GET"],
  },
  "apigateway-stage.caching": {
    pass: [stage(), stage()],
    fail: [stage(), stage({ caching: { cluster: true, clusterSize: "1.6", methods: {} } })],
    paths: ["caching.clusterSize", "caching.methods.*/*"],
  },
  "apigateway-stage.logging": {
    pass: [stage(), stage()],
    fail: [
      stage(),
      stage({
        logging: {
          accessLog: false,
          accessLogFormat: null,
          methods: { "*/*": { level: "ERROR", dataTrace: false, metrics: true } },
        },
      }),
    ],
    paths: ["logging.accessLog", "logging.methods.*/*"],
  },
  "apigateway-stage.tracing": {
    pass: [stage(), stage()],
    fail: [stage(), stage({ tracing: false })],
    paths: ["tracing"],
  },
};
