import { diffMaps, differ, show } from "../../core/compare.js";
import type { Difference, Rule } from "../../core/rule.js";
import type { NormalizedApiStage } from "./normalize.js";

type StageRule = Rule<NormalizedApiStage>;

const onOff = (on: boolean) => (on ? "on" : "off");

/** "*\/*" is the whole stage's default; other keys are one method ("orders/GET"). */
const methodWords = (key: string) =>
  key === "*/*" ? "the stage's default method settings" : `method ${key}`;

/** Method settings of one kind, key by key, in words. */
function methodSettingsDiffer(
  path: string,
  what: string,
  p: Readonly<Record<string, unknown>>,
  s: Readonly<Record<string, unknown>>,
): Difference[] {
  return diffMaps(path, p, s, (key, a, b) =>
    a === undefined
      ? `the standby sets ${what} for ${methodWords(key)} (${show(b)}), the primary does not`
      : b === undefined
        ? `the standby sets no ${what} for ${methodWords(key)}, the primary ${show(a)}`
        : `${what} for ${methodWords(key)} is ${show(b)} on the standby, ${show(a)} on the primary`,
  );
}

function routesDiffer(p: NormalizedApiStage, s: NormalizedApiStage): Difference[] {
  return [
    ...differ(
      "resources",
      p.resources,
      s.resources,
      `the standby's API has ${s.resources} resources, the primary's ${p.resources}`,
    ),
    ...differ(
      "methods",
      p.methods,
      s.methods,
      `the standby's API has ${s.methods} methods, the primary's ${p.methods}`,
    ),
  ];
}

function cachingDiffers(p: NormalizedApiStage, s: NormalizedApiStage): Difference[] {
  const [a, b] = [p.caching, s.caching];
  return [
    ...differ(
      "caching.cluster",
      a.cluster,
      b.cluster,
      `the stage's cache cluster is ${onOff(b.cluster)} on the standby, ${onOff(a.cluster)} on the primary`,
    ),
    ...(a.cluster && b.cluster
      ? differ(
          "caching.clusterSize",
          a.clusterSize,
          b.clusterSize,
          `the standby's cache cluster is ${show(b.clusterSize)} GB, the primary's ${show(a.clusterSize)} GB`,
        )
      : []),
    ...methodSettingsDiffer("caching.methods", "caching", a.methods, b.methods),
  ];
}

function loggingDiffers(p: NormalizedApiStage, s: NormalizedApiStage): Difference[] {
  const [a, b] = [p.logging, s.logging];
  return [
    ...differ(
      "logging.accessLog",
      a.accessLog,
      b.accessLog,
      `access logging is ${onOff(b.accessLog)} on the standby, ${onOff(a.accessLog)} on the primary`,
    ),
    ...(a.accessLog && b.accessLog
      ? differ(
          "logging.accessLogFormat",
          a.accessLogFormat,
          b.accessLogFormat,
          `the standby's access log format is ${show(b.accessLogFormat)}, the primary's ${show(a.accessLogFormat)}`,
        )
      : []),
    ...methodSettingsDiffer("logging.methods", "logging", a.methods, b.methods),
  ];
}

export const apigatewayStageRules: StageRule[] = [
  {
    id: "apigateway-stage.deployment",
    resourceType: "apigateway-stage",
    severity: "critical",
    title: "Stage deployed",
    compares: "whether the standby stage names a deployment and that deployment exists",
    rationale: "A stage without a deployment serves nothing: the standby API cannot take any call.",
    remediation:
      "Deploy the standby API to the stage (aws apigateway create-deployment --rest-api-id <id> --stage-name <stage>).",
    check: (p, s) =>
      s.deployment
        ? []
        : [
            {
              path: "deployment",
              primary: p.deployment,
              secondary: s.deployment,
              message: `the standby stage has no deployment it can serve (the primary's ${p.deployment ? "has one" : "has none either"})`,
            },
          ],
  },
  {
    id: "apigateway-stage.endpoint-type",
    resourceType: "apigateway-stage",
    severity: "high",
    title: "Endpoint type",
    compares: "the REST API's endpointConfiguration types (EDGE, REGIONAL, PRIVATE)",
    rationale:
      "A private standby cannot be reached by the primary's public clients; edge and regional endpoints differ in latency, custom domains and DNS.",
    remediation:
      "Set the standby API's endpoint type to the primary's (aws apigateway update-rest-api --patch-operations op=replace,path=/endpointConfiguration/types/0,value=<TYPE>).",
    check: (p, s) =>
      differ(
        "endpointType",
        p.endpointType,
        s.endpointType,
        `the standby API's endpoint type is ${s.endpointType}, the primary's ${p.endpointType}`,
      ),
  },
  {
    id: "apigateway-stage.routes",
    resourceType: "apigateway-stage",
    severity: "high",
    title: "Resources and methods",
    compares: "how many resources (paths) the REST API has, and how many methods on them",
    rationale: "A standby API with fewer routes answers 403 or 404 to calls the primary serves.",
    remediation:
      "Import the primary's API definition into the standby (aws apigateway get-export on the primary, put-rest-api --mode overwrite on the standby), then deploy the stage.",
    check: routesDiffer,
  },
  {
    id: "apigateway-stage.throttling",
    resourceType: "apigateway-stage",
    severity: "high",
    title: "Throttling",
    compares: "the stage's method settings' throttling rate and burst limits, by method key",
    rationale: "A standby throttled lower rejects (429) the traffic the primary accepts.",
    remediation:
      "Set the standby stage's throttling to the primary's (aws apigateway update-stage --patch-operations op=replace,path=/*/*/throttling/rateLimit,value=<n>).",
    check: (p, s) => methodSettingsDiffer("throttling", "throttling", p.throttling, s.throttling),
  },
  {
    id: "apigateway-stage.caching",
    resourceType: "apigateway-stage",
    severity: "medium",
    title: "Caching",
    compares:
      "whether the stage has a cache cluster and its size, and the method settings' caching (on, TTL, encryption), by method key",
    rationale: "Without the primary's cache the standby's backends take every call the cache absorbed.",
    remediation:
      "Set the standby stage's cache to the primary's (aws apigateway update-stage --patch-operations op=replace,path=/cacheClusterEnabled,value=true and path=/cacheClusterSize).",
    check: cachingDiffers,
  },
  {
    id: "apigateway-stage.logging",
    resourceType: "apigateway-stage",
    severity: "low",
    title: "Logging and metrics",
    compares:
      "access logging by presence and format (the log group differs per region), and the method settings' logging level, data trace and metrics, by method key",
    rationale: "After failover the standby's errors and traffic must be as visible as the primary's were.",
    remediation:
      "Set the standby stage's logging to the primary's (aws apigateway update-stage, paths /accessLogSettings/*, /*/*/logging/loglevel, /*/*/metrics/enabled).",
    check: loggingDiffers,
  },
  {
    id: "apigateway-stage.tracing",
    resourceType: "apigateway-stage",
    severity: "low",
    title: "X-Ray tracing",
    compares: "tracingEnabled",
    rationale: "Without tracing the standby's slow calls cannot be followed as the primary's were.",
    remediation:
      "Enable tracing on the standby stage (aws apigateway update-stage --patch-operations op=replace,path=/tracingEnabled,value=true).",
    check: (p, s) =>
      differ(
        "tracing",
        p.tracing,
        s.tracing,
        `X-Ray tracing is ${onOff(s.tracing)} on the standby stage, ${onOff(p.tracing)} on the primary`,
      ),
  },
];
