import { CHANGE_SIGNAL_PERMISSIONS } from "./changes/permissions.js";
import { iamActions, ops, type AwsOperation } from "./aws/services.js";
import { RESOURCE_COUNTS } from "./inventory/resource-counts.js";
import { PUBLISH_PERMISSIONS } from "./report/publish.js";
import { REFERENCE_PERMISSIONS } from "./runbook/resolve.js";
import { DYNAMODB_JOURNAL_PERMISSIONS } from "./runbook/journal-dynamodb.js";
import { DYNAMODB_PERMISSIONS } from "./history/dynamodb.js";
import { TRIGGER_WINDOW_PERMISSIONS } from "./trigger/window.js";
import { CANARY_PERMISSIONS } from "./freshness/canary.js";
import { PUT_METRIC_PERMISSIONS } from "./freshness/put-metrics.js";
import { TAGGED_PERMISSIONS } from "./pairs/tagged.js";
import { INIT_PERMISSIONS } from "./init/init.js";
import { AVAILABILITY_PERMISSIONS } from "./plan/availability.js";
import { DRILL_CANARY_PERMISSIONS } from "./drill/canaries.js";
import { RESOURCE_MODULES, STEP_KINDS, STORE_TYPES } from "./catalog.js";

/**
 * The AWS operations each command calls, gathered from what its readers and steps declare. Its
 * IAM actions (commandPermissions), the README's permission table (npm run docs) and the deployed
 * policy (infra/) are derived from these; a test runs each against the emulator and fails on a
 * call it made that is not here.
 */
export function commandOperations(): Record<string, AwsOperation[]> {
  return {
    // Each module declares what it reads; pair discovery also lists each primary region's tagged
    // resources through the tagging API (types it pairs, and those it counts as not compared).
    scan: [
      ...RESOURCE_MODULES.flatMap((m) => m.permissions),
      ...TAGGED_PERMISSIONS,
      ...DYNAMODB_PERMISSIONS,
      ...EMAIL,
    ],
    // An incremental scan hears of changes from CloudTrail's event history and AWS Config.
    "scan --incremental (in addition)": CHANGE_SIGNAL_PERMISSIONS,
    // Every store type declares what it lists and measures; tags name applications and pairs.
    freshness: [
      ...STORE_TYPES.flatMap((t) => t.permissions),
      ...TAGGED_PERMISSIONS,
      ...DYNAMODB_PERMISSIONS,
      ...EMAIL,
    ],
    "freshness --canary --execute (in addition)": CANARY_PERMISSIONS,
    "freshness --put-metrics (in addition)": PUT_METRIC_PERMISSIONS,
    inventory: RESOURCE_COUNTS.flatMap((c) => c.permissions),
    // init lists what the data-store types list, and the regions and tagged resources of the account.
    init: [...INIT_PERMISSIONS, ...STORE_TYPES.flatMap((t) => t.permissions)],
    // The runbooks' dry runs read what their steps would change; high availability is read live.
    plan: [
      ...stepOperations().filter((op) => /^(Describe|List|Get)/.test(op.operation)),
      ...REFERENCE_PERMISSIONS,
      ...AVAILABILITY_PERMISSIONS,
      ...TAGGED_PERMISSIONS,
      ...DYNAMODB_PERMISSIONS,
    ],
    "history, diff (DynamoDB store)": DYNAMODB_PERMISSIONS,
    "publish (to S3)": PUBLISH_PERMISSIONS,
    // A runbook needs the actions of the step kinds it uses; this is all of them.
    "failover, failback, runbook resume": [...stepOperations(), ...REFERENCE_PERMISSIONS],
    // A drill: its preflight (the scan and freshness), its fault kinds (and their undo), its canaries;
    // its failover runbook needs the actions of its own step kinds, as in the row above.
    "drill plan, drill run, drill resume": [
      ...stepOperations((kind) => kind.startsWith("fault.")),
      ...DRILL_CANARY_PERMISSIONS,
      ...RESOURCE_MODULES.flatMap((m) => m.permissions),
      ...STORE_TYPES.flatMap((t) => t.permissions),
      ...TAGGED_PERMISSIONS,
      ...DYNAMODB_PERMISSIONS,
    ],
  };
}

/** A report or alert sent by email (SES). */
const EMAIL = ops("SESv2", "SendEmail");

/** What the step kinds (those whose name passes `which`) call. */
function stepOperations(which: (kind: string) => boolean = () => true): AwsOperation[] {
  return [...STEP_KINDS.values()].filter((k) => which(k.kind)).flatMap((k) => k.permissions);
}

/** The IAM actions each command needs: those of the operations it calls, each once, sorted. */
export function commandPermissions(): Record<string, string[]> {
  return actionsOf(commandOperations());
}

/** What runs elsewhere than the CLI, or in addition to a command: label -> the operations it calls. */
export function otherOperations(): Record<string, AwsOperation[]> {
  return {
    "runbook journal and lock in DynamoDB (a `dynamodb://` store)": DYNAMODB_JOURNAL_PERMISSIONS,
    "alarm trigger function (cloud deployment)": [
      ...ops("SFN", "StartExecution"),
      ...TRIGGER_WINDOW_PERMISSIONS,
    ],
  };
}

/** What runs elsewhere than the CLI, or in addition to a command: label -> IAM actions. */
export function otherPermissions(): Record<string, string[]> {
  return actionsOf(otherOperations());
}

/** Needed by every command that reads another account through a role from drctl.yaml `accounts`. */
export const CROSS_ACCOUNT_PERMISSIONS = iamActions(ops("STS", "AssumeRole"));

function actionsOf(byLabel: Record<string, AwsOperation[]>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(byLabel).map(([label, operations]) => [label, iamActions(operations)]),
  );
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
