import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { TablePair } from "./rules.js";

const t = (region: string, pointInTimeRecovery: boolean) => ({ name: "orders", region, pointInTimeRecovery });

export const cases: RuleCases<TablePair> = {
  "dynamodb.point-in-time-recovery": {
    pass: [t("us-east-1", true), t("us-west-2", true)],
    fail: [t("us-east-1", true), t("us-west-2", false)],
    paths: ["standby.pointInTimeRecovery"],
  },
};
