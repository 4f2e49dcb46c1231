import { runRuleCases } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { s3Rules } from "./rules.js";

runRuleCases(s3Rules, cases);
