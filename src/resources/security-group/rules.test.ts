import { runRuleCases } from "../../scan/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { securityGroupRules } from "./rules.js";

runRuleCases(securityGroupRules, cases);
