import { runRuleCases } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { healthCheckRules } from "./rules.js";

runRuleCases(healthCheckRules, cases);
