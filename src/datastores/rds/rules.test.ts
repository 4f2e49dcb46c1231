import { runRuleCases } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { rdsRules } from "./rules.js";

runRuleCases(rdsRules, cases);
