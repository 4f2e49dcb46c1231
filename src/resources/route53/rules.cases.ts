import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { FailoverSet, RecordTarget, Route53View } from "./normalize.js";

const primary: RecordTarget = {
  role: "primary",
  dnsName: "web-1.us-east-1.elb.amazonaws.com",
  loadBalancer: "web",
};
const standby: RecordTarget = {
  role: "standby",
  dnsName: "web-s-1.us-west-2.elb.amazonaws.com",
  loadBalancer: "web-s",
};
const other: RecordTarget = {
  role: "other",
  dnsName: "shop-1.us-west-2.elb.amazonaws.com",
  loadBalancer: "shop",
};
const set = (over: Partial<FailoverSet> = {}): FailoverSet => ({
  name: "web.example.com",
  type: "A",
  primary,
  secondary: standby,
  primaryHasHealthCheck: true,
  ...over,
});
const view = (s: FailoverSet): [Route53View, Route53View] => [{ failover: [s] }, { failover: [s] }];

export const cases: RuleCases<Route53View> = {
  "route53.failover-targets": {
    pass: view(set()),
    fail: view(set({ secondary: other })),
    paths: ["failover[web.example.com A].SECONDARY"],
  },
  "route53.failover-health-check": {
    pass: view(set()),
    fail: view(set({ primaryHasHealthCheck: false })),
    paths: ["failover[web.example.com A].PRIMARY.healthCheckId"],
  },
};
