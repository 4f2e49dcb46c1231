import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedPlan } from "./rules.js";

const plan = (copies: NormalizedPlan["rules"][number]["copies"]): NormalizedPlan => ({
  name: "daily",
  region: "us-east-1",
  rules: [{ name: "nightly", copies }],
});

export const cases: RuleCases<NormalizedPlan | null> = {
  "backup.copy-to-standby": {
    pass: [null, plan([{ region: "us-west-2", deleteAfterDays: 14 }])],
    fail: [null, plan([{ region: "us-west-2", deleteAfterDays: null }])],
    paths: ["plans[daily].rules[nightly].copyActions[us-west-2].deleteAfterDays"],
  },
};
