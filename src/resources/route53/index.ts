import type { ResourceModule } from "../../scan/module.js";
import { ROUTE53_PERMISSIONS } from "./collect.js";
import type { Route53View } from "./normalize.js";
import { route53Rules } from "./rules.js";

export const route53Module: ResourceModule<Route53View> = {
  type: "route53",
  title: "Route 53 records",
  permissions: ROUTE53_PERMISSIONS,
  rules: route53Rules,
  async twins(primary, standby, context) {
    const index = await context.records();
    const [p, s] = index.viewsFor(
      { dnsName: primary.lb.DNSName ?? "", region: primary.region },
      { dnsName: standby.lb.DNSName ?? "", region: standby.region },
    );
    return { twins: [{ label: "", primary: p, secondary: s }], unmatched: [] };
  },
};
