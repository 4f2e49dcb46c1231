import { runRuleCases } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { securityGroupRules } from "./rules.js";

runRuleCases(securityGroupRules, cases);
