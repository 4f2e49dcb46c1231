import { runRuleCases } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { loadBalancerRules } from "./rules.js";

runRuleCases(loadBalancerRules, cases);
