import { runRuleCases } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { cloudwatchAlarmRules } from "./rules.js";

runRuleCases(cloudwatchAlarmRules, cases);
