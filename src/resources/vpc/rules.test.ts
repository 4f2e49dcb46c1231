import { runRuleCases } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { vpcRules } from "./rules.js";

runRuleCases(vpcRules, cases);
