import { runRuleCases } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { certificateRules } from "./rules.js";

runRuleCases(certificateRules, cases);
