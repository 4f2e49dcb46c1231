/**
 * A passing and a failing case of every rule a drill checks (src/catalog.test.ts fails on a rule
 * without): what the drill saw, and the paths of the findings the failing one gives.
 */
import type { DRILL_RULES } from "./rules.js";

type Evidence<R> = R extends { check(evidence: infer E): unknown } ? E : never;
type Rules = (typeof DRILL_RULES)[number];

export interface DrillRuleCase<E> {
  /** What the drill saw when all was well: no finding. */
  pass: E;
  /** What it saw when it was not: findings at `paths`. */
  fail: E;
  paths: string[];
}

/** By rule id (the ids are strings to the compiler: the catalogue test checks each has its case). */
export type DrillRuleCases = Record<string, DrillRuleCase<Evidence<Rules>>>;

const canary = {
  canary: "orders",
  primaryArn: "arn:aws:s3:::orders-use1",
  standbyArn: "arn:aws:s3:::orders-usw2",
};

export const cases: DrillRuleCases = {
  "drill.scope": {
    pass: {
      kind: "fault.asg-suspend",
      problems: [],
      targets: [
        {
          name: "group web",
          arn: "arn:aws:autoscaling:us-east-1:1:autoScalingGroup:x:autoScalingGroupName/web",
        },
      ],
    },
    fail: {
      kind: "fault.asg-suspend",
      problems: ["group billing is billing's, not api's"],
      targets: [
        {
          name: "group billing",
          arn: "arn:aws:autoscaling:us-east-1:1:autoScalingGroup:x:autoScalingGroupName/billing",
        },
      ],
    },
    paths: ["fault"],
  },
  "drill.canary-no-copy": {
    pass: { standbyRegion: "us-west-2", canaries: [canary] },
    fail: {
      standbyRegion: "us-west-2",
      canaries: [{ ...canary, problem: "bucket orders-usw2 does not exist in us-west-2" }],
    },
    paths: ["canaries"],
  },
  "drill.preflight": {
    pass: { application: "api", problems: [] },
    fail: { application: "api", problems: ["replication is broken for orders"] },
    paths: [""],
  },
  "drill.canary-not-arrived": {
    pass: { standbyRegion: "us-west-2", baselineSeconds: 60, canaries: [{ ...canary, arrived: true }] },
    fail: { standbyRegion: "us-west-2", baselineSeconds: 60, canaries: [{ ...canary, arrived: false }] },
    paths: ["canaries.orders"],
  },
  "drill.canary-refused": {
    pass: { canaries: [{ ...canary, refused: false }] },
    fail: { canaries: [{ ...canary, refused: true, error: "AccessDenied" }] },
    paths: ["canaries.orders"],
  },
  "drill.no-baseline": {
    pass: { primaryRegion: "us-east-1", consecutive: 3, baselineSeconds: 60, missing: [], silent: [] },
    fail: {
      primaryRegion: "us-east-1",
      consecutive: 3,
      baselineSeconds: 60,
      missing: [{ endpoint: "api", url: "https://api.example.com/health", last: "503" }],
      silent: [],
    },
    paths: [""],
  },
  "drill.no-region-field": {
    pass: { endpoints: [{ name: "api", url: "https://api.example.com/health", namesRegion: true }] },
    fail: {
      endpoints: [
        {
          name: "api",
          url: "https://api.example.com/health",
          namesRegion: false,
          lookedFor: "header x-region",
        },
      ],
    },
    paths: ["endpoints.api.region"],
  },
  "drill.interrupted": {
    pass: { application: "api", drillId: "drill-1", resumed: false, reverted: true },
    fail: { application: "api", drillId: "drill-1", resumed: true, reverted: true },
    paths: [""],
  },
};
