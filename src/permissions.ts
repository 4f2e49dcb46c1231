import { RESOURCE_COUNTS } from "./inventory/resource-counts.js";
import { PUBLISH_PERMISSIONS } from "./report/publish.js";
import { REFERENCE_PERMISSIONS } from "./runbook/resolve.js";
import { DYNAMODB_JOURNAL_PERMISSIONS } from "./runbook/journal-dynamodb.js";
import { DYNAMODB_PERMISSIONS } from "./history/dynamodb.js";
import { TRIGGER_WINDOW_PERMISSIONS } from "./trigger/window.js";
import { CANARY_PERMISSIONS } from "./freshness/canary.js";
import { PUT_METRIC_PERMISSIONS } from "./freshness/put-metrics.js";
import { TAGGED_PERMISSIONS } from "./pairs/tagged.js";
import { AVAILABILITY_PERMISSIONS } from "./plan/availability.js";
import { DRILL_CANARY_PERMISSIONS } from "./drill/canaries.js";
import { RESOURCE_MODULES, STEP_KINDS, STORE_TYPES } from "./catalog.js";
import { DRILL_SCOPE_PERMISSIONS } from "./drill/scope.js";

/**
 * The IAM actions each command needs, gathered from what its readers and steps declare. The
 * README's permission table is generated from this (npm run docs), and a test fails when stale.
 */
export function commandPermissions(): Record<string, string[]> {
  return {
    // Pair discovery reads load balancers and their tags; each module declares what it reads.
    scan: unique([
      ...RESOURCE_MODULES.flatMap((m) => m.permissions),
      ...DYNAMODB_PERMISSIONS,
      "ses:SendEmail",
    ]),
    // Every store type declares what it lists and measures; tags name applications and pairs.
    freshness: unique([
      ...STORE_TYPES.flatMap((t) => t.permissions),
      ...TAGGED_PERMISSIONS,
      ...DYNAMODB_PERMISSIONS,
      "ses:SendEmail",
    ]),
    "freshness --canary --execute (in addition)": unique(CANARY_PERMISSIONS),
    "freshness --put-metrics (in addition)": unique(PUT_METRIC_PERMISSIONS),
    inventory: unique(RESOURCE_COUNTS.flatMap((c) => c.permissions)),
    // The runbooks' dry runs read what their steps would change; high availability is read live.
    plan: unique([
      ...[...STEP_KINDS.values()]
        .flatMap((k) => k.permissions)
        .filter((p) => /^[a-z0-9-]+:(Describe|List|Get)/.test(p)),
      ...REFERENCE_PERMISSIONS,
      ...AVAILABILITY_PERMISSIONS,
      ...TAGGED_PERMISSIONS,
      ...DYNAMODB_PERMISSIONS,
    ]),
    "history, diff (DynamoDB store)": unique(DYNAMODB_PERMISSIONS),
    "publish (to S3)": unique(PUBLISH_PERMISSIONS),
    // A runbook needs the actions of the step kinds it uses; this is all of them.
    "failover, failback, runbook resume": unique([
      ...[...STEP_KINDS.values()].flatMap((k) => k.permissions),
      ...REFERENCE_PERMISSIONS,
    ]),
    // A drill: its preflight (the scan and freshness), its fault kinds (and their undo), its canaries;
    // its failover runbook needs the actions of its own step kinds, as in the row above.
    "drill plan, drill run, drill resume": unique([
      ...[...STEP_KINDS.values()].filter((k) => k.kind.startsWith("fault.")).flatMap((k) => k.permissions),
      ...DRILL_CANARY_PERMISSIONS,
      ...DRILL_SCOPE_PERMISSIONS,
      ...RESOURCE_MODULES.flatMap((m) => m.permissions),
      ...STORE_TYPES.flatMap((t) => t.permissions),
      ...TAGGED_PERMISSIONS,
      ...DYNAMODB_PERMISSIONS,
    ]),
  };
}

/** What runs elsewhere than the CLI, or in addition to a command: label -> IAM actions. */
export function otherPermissions(): Record<string, string[]> {
  return {
    "runbook journal and lock in DynamoDB (a `dynamodb://` store)": unique(DYNAMODB_JOURNAL_PERMISSIONS),
    "alarm trigger function (cloud deployment)": unique([
      "states:StartExecution",
      ...TRIGGER_WINDOW_PERMISSIONS,
    ]),
  };
}

/** Needed by every command that reads another account through a role from drctl.yaml `accounts`. */
export const CROSS_ACCOUNT_PERMISSIONS = ["sts:AssumeRole"];

function unique(actions: string[]): string[] {
  return [...new Set(actions)].sort();
}

export function permissionsMarkdown(): string {
  const rows = Object.entries(commandPermissions()).map(
    ([command, actions]) => `| \`drctl ${command}\` | ${actions.map((a) => `\`${a}\``).join(", ")} |`,
  );
  const others = Object.entries(otherPermissions()).map(
    ([what, actions]) => `| ${what} | ${actions.map((a) => `\`${a}\``).join(", ")} |`,
  );
  return [
    "| command | IAM actions |",
    "| --- | --- |",
    ...rows,
    ...others,
    `| any command reading another account | ${CROSS_ACCOUNT_PERMISSIONS.map((a) => `\`${a}\``).join(", ")} on the role named in \`accounts\` |`,
  ].join("\n");
}

const IAM_PREFIX: Readonly<Record<string, string>> = {
  ELBv2: "elasticloadbalancing",
  EC2: "ec2",
  ACM: "acm",
  Route53: "route53",
  CloudWatch: "cloudwatch",
  RDS: "rds",
  AutoScaling: "autoscaling",
  SSM: "ssm",
  STS: "sts",
  DynamoDB: "dynamodb",
  SESv2: "ses",
  S3: "s3",
};

/** The IAM action behind a counted call ("ELBv2.DescribeRules" -> "elasticloadbalancing:DescribeRules"). */
export function iamActionOf(call: string): string {
  const [service = "", operation = ""] = call.split(".");
  return `${IAM_PREFIX[service] ?? service.toLowerCase()}:${operation}`;
}
