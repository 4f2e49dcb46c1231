import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { AccountConcurrency } from "./concurrency.js";
import type { NormalizedFunction } from "./normalize.js";

const fn = (over: Partial<NormalizedFunction> = {}): NormalizedFunction => ({
  runtime: "nodejs20.x",
  architecture: "arm64",
  handler: "index.handler",
  memoryMb: 1024,
  timeoutSeconds: 30,
  ephemeralStorageMb: 512,
  reservedConcurrency: 50,
  provisionedConcurrency: { live: 20 },
  deadLetterQueue: true,
  onFailureDestination: true,
  vpc: { attached: true, subnets: 3, securityGroups: 1 },
  layers: { deps: "4" },
  environmentNames: ["API_KEY", "TABLE_NAME"],
  eventSources: { sqs: ["batch 10, Enabled"] },
  sqsSources: [],
  ...over,
});

/** The standby's region: an account of 1000, of which `unreserved` no function reserves (the standby's 50 included in the rest). */
const account = (unreserved: number): AccountConcurrency => ({
  region: "eu-west-1",
  quota: {
    service: "lambda",
    code: "L-B99A9384",
    name: "Concurrent executions",
    value: 1000,
    source: "applied",
  },
  settings: { limit: 1000, unreserved },
});

export const cases: RuleCases<NormalizedFunction> = {
  "lambda-function.concurrency-quota": {
    // Others reserve 1000 - 350 - 50 = 600; 1000 - 600 - 100 = 300 left: the primary's 300 fits.
    pass: [fn({ reservedConcurrency: 300 }), fn({ accountConcurrency: account(350) })],
    // Others reserve 1000 - 250 - 50 = 700; 200 left, the primary reserves 300.
    fail: [fn({ reservedConcurrency: 300 }), fn({ accountConcurrency: account(250) })],
    paths: ["accountConcurrency"],
  },
  "lambda-function.provisioned-concurrency": {
    // More on the standby is no finding: it is the better prepared.
    pass: [fn(), fn({ provisionedConcurrency: { live: 40 } })],
    fail: [fn(), fn({ provisionedConcurrency: { live: 5, beta: 20 } })],
    paths: ["provisionedConcurrency.live"],
  },
  "lambda-function.runtime": {
    pass: [fn(), fn()],
    fail: [fn(), fn({ runtime: "nodejs18.x" })],
    paths: ["runtime"],
  },
  "lambda-function.architecture": {
    pass: [fn(), fn()],
    fail: [fn(), fn({ architecture: "x86_64" })],
    paths: ["architecture"],
  },
  "lambda-function.handler": {
    pass: [fn(), fn()],
    fail: [fn(), fn({ handler: "main.handler" })],
    paths: ["handler"],
  },
  "lambda-function.memory": { pass: [fn(), fn()], fail: [fn(), fn({ memoryMb: 512 })], paths: ["memoryMb"] },
  "lambda-function.timeout": {
    pass: [fn(), fn()],
    fail: [fn(), fn({ timeoutSeconds: 10 })],
    paths: ["timeoutSeconds"],
  },
  "lambda-function.ephemeral-storage": {
    pass: [fn(), fn()],
    fail: [fn({ ephemeralStorageMb: 2048 }), fn()],
    paths: ["ephemeralStorageMb"],
  },
  "lambda-function.reserved-concurrency": {
    pass: [fn({ reservedConcurrency: null }), fn({ reservedConcurrency: null })],
    fail: [fn(), fn({ reservedConcurrency: 0 })],
    paths: ["reservedConcurrency"],
  },
  "lambda-function.dead-letter-queue": {
    pass: [fn(), fn()],
    fail: [fn(), fn({ deadLetterQueue: false })],
    paths: ["deadLetterQueue"],
  },
  "lambda-function.on-failure-destination": {
    pass: [fn(), fn()],
    fail: [fn(), fn({ onFailureDestination: false })],
    paths: ["onFailureDestination"],
  },
  "lambda-function.vpc": {
    pass: [fn(), fn()],
    fail: [fn(), fn({ vpc: { attached: true, subnets: 2, securityGroups: 2 } })],
    paths: ["vpc.subnets", "vpc.securityGroups"],
  },
  "lambda-function.layers": {
    pass: [fn(), fn()],
    fail: [fn(), fn({ layers: { deps: "3", extra: "1" } })],
    paths: ["layers.deps", "layers.extra"],
  },
  "lambda-function.environment-names": {
    pass: [fn(), fn()],
    fail: [fn(), fn({ environmentNames: ["TABLE_NAME", "DEBUG"] })],
    paths: ["environment.API_KEY", "environment.DEBUG"],
  },
  "lambda-function.event-sources": {
    pass: [fn(), fn()],
    fail: [fn(), fn({ eventSources: { sqs: ["batch 10, Disabled"], kinesis: ["batch 100, Enabled"] } })],
    paths: ["eventSources.sqs", "eventSources.kinesis"],
  },
  "lambda-function.sqs-visibility-timeout": {
    pass: [fn(), fn({ sqsSources: [{ queue: "jobs-dr", visibilityTimeoutSeconds: 180 }] })],
    fail: [fn(), fn({ sqsSources: [{ queue: "jobs-dr", visibilityTimeoutSeconds: 20 }] })],
    paths: ["sqsSources.jobs-dr.visibilityTimeout"],
  },
};
