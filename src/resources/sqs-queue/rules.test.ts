import { runRuleCases } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { sqsQueueRules } from "./rules.js";

runRuleCases(sqsQueueRules, cases);
