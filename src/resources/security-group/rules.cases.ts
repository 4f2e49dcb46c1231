import { ref } from "../../core/refs.js";
import { resolved, type RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedSecurityGroups, Permission } from "./normalize.js";

const app = {
  primary: ref("security-group", "sg-p1", "app"),
  standby: ref("security-group", "sg-s1", "app-usw2"),
};
const cache = ref("security-group", "sg-s2", "cache-usw2");
const LINKS = [
  {
    primary: { id: "sg-p1", name: "app" },
    standby: { id: "sg-s1", name: "app-usw2" },
    method: "pair" as const,
  },
];

const groups = (ingress: Permission[], egress: Permission[]): NormalizedSecurityGroups => ({
  groups: [],
  ingress,
  egress,
});
const https: Permission[] = [
  { head: "tcp 443-443", peer: "0.0.0.0/0" },
  { head: "tcp 443-443", peer: "::/0" },
];
const pair = (p: NormalizedSecurityGroups, s: NormalizedSecurityGroups) =>
  resolved("security-group", LINKS, p, s);

export const cases: RuleCases<NormalizedSecurityGroups> = {
  "security-group.ingress": {
    pass: pair(groups(https, []), groups([...https].reverse(), [])),
    fail: pair(
      groups(https, []),
      groups(
        [
          { head: "tcp 443-443", peer: "0.0.0.0/0" },
          { head: "tcp 80-80", peer: "0.0.0.0/0" },
        ],
        [],
      ),
    ),
    paths: ["ingress[tcp 443-443 ::/0]", "ingress[tcp 80-80 0.0.0.0/0]"],
  },
  "security-group.egress": {
    // The application's group has another name in each region: the same rule.
    pass: pair(
      groups([], [{ head: "tcp 8080-8081", peer: app.primary }]),
      groups([], [{ head: "tcp 8080-8081", peer: app.standby }]),
    ),
    fail: pair(
      groups([], [{ head: "tcp 8080-8081", peer: app.primary }]),
      groups([], [{ head: "tcp 8080-8081", peer: cache }]),
    ),
    paths: ["egress[tcp 8080-8081 sg:app]", "egress[tcp 8080-8081 sg:cache-usw2]"],
  },
};
