import { runRuleCases } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { autoscalingGroupRules } from "./rules.js";

runRuleCases(autoscalingGroupRules, cases);
