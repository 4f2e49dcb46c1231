import { runRuleCases } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { dynamodbRules } from "./rules.js";

runRuleCases(dynamodbRules, cases);
