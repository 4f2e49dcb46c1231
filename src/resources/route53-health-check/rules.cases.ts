import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedHealthCheck } from "./normalize.js";

const check = (over: Partial<NormalizedHealthCheck> = {}): NormalizedHealthCheck => ({
  type: "HTTPS_STR_MATCH",
  addressFamily: null,
  ipAddressSet: false,
  domainNameSet: true,
  port: 443,
  resourcePath: "/health",
  searchString: "ok",
  requestInterval: 30,
  failureThreshold: 3,
  regions: { $set: ["eu-west-1", "us-east-1", "us-west-1"] },
  inverted: false,
  disabled: false,
  measureLatency: true,
  enableSni: true,
  insufficientDataHealthStatus: null,
  alarm: null,
  alarmName: null,
  childCount: null,
  healthThreshold: null,
  ...over,
});

const alarmCheck = (over: Partial<NormalizedHealthCheck> = {}) =>
  check({
    type: "CLOUDWATCH_METRIC",
    domainNameSet: false,
    port: null,
    resourcePath: null,
    searchString: null,
    insufficientDataHealthStatus: "Unhealthy",
    alarm: "api-5xx",
    alarmName: "api-5xx-use1",
    ...over,
  });

const calculated = (over: Partial<NormalizedHealthCheck> = {}) =>
  check({ type: "CALCULATED", domainNameSet: false, port: null, childCount: 2, healthThreshold: 1, ...over });

export const cases: RuleCases<NormalizedHealthCheck> = {
  "route53-health-check.type": {
    pass: [check(), check()],
    fail: [check(), check({ type: "HTTPS" })],
    paths: ["type"],
  },
  "route53-health-check.address-family": {
    pass: [check({ addressFamily: "IPv6" }), check({ addressFamily: "IPv6" })],
    fail: [check({ addressFamily: "IPv6" }), check({ addressFamily: "IPv4" })],
    paths: ["addressFamily"],
  },
  "route53-health-check.endpoint": {
    pass: [check({ ipAddressSet: true }), check({ ipAddressSet: true })],
    fail: [check(), check({ ipAddressSet: true, domainNameSet: false })],
    paths: ["ipAddressSet", "domainNameSet"],
  },
  "route53-health-check.port": {
    pass: [check(), check()],
    fail: [check(), check({ port: 8443 })],
    paths: ["port"],
  },
  "route53-health-check.resource-path": {
    pass: [check(), check()],
    fail: [check(), check({ resourcePath: "/" })],
    paths: ["resourcePath"],
  },
  "route53-health-check.search-string": {
    pass: [check(), check()],
    fail: [check(), check({ searchString: "healthy" })],
    paths: ["searchString"],
  },
  "route53-health-check.request-interval": {
    pass: [check(), check()],
    fail: [check({ requestInterval: 10 }), check()],
    paths: ["requestInterval"],
  },
  "route53-health-check.failure-threshold": {
    pass: [check(), check()],
    fail: [check(), check({ failureThreshold: 5 })],
    paths: ["failureThreshold"],
  },
  "route53-health-check.regions": {
    pass: [check(), check({ regions: { $set: ["us-west-1", "us-east-1", "eu-west-1"] } })],
    fail: [check(), check({ regions: { $set: [] } })],
    paths: ["regions"],
  },
  "route53-health-check.inverted": {
    pass: [check(), check()],
    fail: [check(), check({ inverted: true })],
    paths: ["inverted"],
  },
  "route53-health-check.disabled": {
    pass: [check(), check()],
    fail: [check(), check({ disabled: true })],
    paths: ["disabled"],
  },
  "route53-health-check.measure-latency": {
    pass: [check(), check()],
    fail: [check(), check({ measureLatency: false })],
    paths: ["measureLatency"],
  },
  "route53-health-check.enable-sni": {
    pass: [check(), check()],
    fail: [check(), check({ enableSni: false })],
    paths: ["enableSni"],
  },
  "route53-health-check.insufficient-data": {
    pass: [alarmCheck(), alarmCheck()],
    fail: [alarmCheck(), alarmCheck({ insufficientDataHealthStatus: "LastKnownStatus" })],
    paths: ["insufficientDataHealthStatus"],
  },
  "route53-health-check.alarm": {
    pass: [alarmCheck(), alarmCheck({ alarmName: "api-5xx-euw1" })],
    fail: [alarmCheck(), alarmCheck({ alarm: "api-latency", alarmName: "api-latency-euw1" })],
    paths: ["alarm"],
  },
  "route53-health-check.calculated": {
    pass: [calculated(), calculated()],
    fail: [calculated(), calculated({ childCount: 1, healthThreshold: 2 })],
    paths: ["childCount", "healthThreshold"],
  },
};
