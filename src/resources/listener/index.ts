import type { LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import type { Difference } from "../../core/rule.js";
import type { TwinLink } from "../../core/twins.js";
import type { RuleInfo } from "../../core/finding.js";
import { collectListeners, LISTENER_PERMISSIONS } from "./collect.js";
import type { NormalizedListener } from "./normalize.js";
import { listenerRules } from "./rules.js";

export const listenersCollector: Collector<NormalizedListener[], LoadBalancer> = {
  type: "listener",
  collect: (side) => collectListeners(side.cache, side.arn),
};

const missingListener: RuleInfo = {
  id: "listener.missing",
  resourceType: "listener",
  severity: "high",
  title: "Listener present on one side only",
  compares: "the set of listener ports",
  rationale: "Clients of a port the standby does not listen on get connection refused after failover.",
  remediation: "Create the listener on the standby with the primary's protocol, certificates and actions.",
};

export const listenerModule: ResourceModule<NormalizedListener, LoadBalancer> = {
  type: "listener",
  title: "Listeners and rules",
  permissions: LISTENER_PERMISSIONS,
  rules: listenerRules,
  missingRule: missingListener,
  async twins(primary, standby) {
    const [p, s] = await Promise.all([primary.get(listenersCollector), standby.get(listenersCollector)]);
    const byPort = new Map(s.map((l) => [l.port, l]));
    const unmatched: Difference[] = [];
    const links: TwinLink[] = [];
    const twins = p.flatMap((l) => {
      const twin = byPort.get(l.port);
      if (!twin) {
        unmatched.push({
          path: `listeners[${l.port}]`,
          primary: `${l.protocol}:${l.port}`,
          secondary: null,
          status: "missing",
          message: `the standby has no listener on port ${l.port} (${l.protocol})`,
        });
        return [];
      }
      links.push({
        primary: { id: l.arn, name: `${l.protocol}:${l.port}` },
        standby: { id: twin.arn, name: `${twin.protocol}:${twin.port}` },
        method: "pair",
        via: `port ${l.port}`,
      });
      return [{ label: `listeners[${l.port}]`, primary: l, secondary: twin }];
    });
    const primaryPorts = new Set(p.map((l) => l.port));
    for (const l of s) {
      if (!primaryPorts.has(l.port)) {
        unmatched.push({
          path: `listeners[${l.port}]`,
          primary: null,
          secondary: `${l.protocol}:${l.port}`,
          status: "missing",
          message: `the standby listens on port ${l.port} (${l.protocol}), the primary does not`,
        });
      }
    }
    return { twins, unmatched, links };
  },
};
