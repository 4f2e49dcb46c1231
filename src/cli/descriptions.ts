/**
 * What each top-level command does, in one line: read by `drctl --help` without loading any
 * command, and by each command's own registration, so the two never differ.
 */
export const COMMAND_DESCRIPTIONS = {
  init: "read the account and write a first drctl.yaml to review: regions, pairs, stores, applications",
  scan: "compare every primary resource with its standby twin and report each difference that matters in a failover",
  freshness:
    "how old the newest data in the standby region is, per data store, against the RPO; which data has no copy there at all",
  history: "list the stored runs, newest first",
  diff: "show new, resolved and unchanged findings between two stored scans (default: the last two)",
  publish: "write the report site from the history: one page per scan, an index with trend, and the JSON",
  failover: "plan or run a failover runbook (a dry run unless --execute)",
  failback:
    "plan or run a failback: a failback runbook, or the inverse of a recorded failover run (a dry run unless --execute)",
  runbook: "resume, approve, list or inspect runbook runs",
  schedule: "runbooks on a schedule (drctl.yaml schedules:): list them, or plan and run one here",
  drill: "a real failover test, measured as clients see it: RTO and RPO against their targets",
  inventory: "count the resources drctl can see in each region (read back through drctl's own access layer)",
  plan: "write each application's disaster-recovery plan from what is deployed and measured: stored scans, freshness runs and drills, the runbooks' dry runs",
} as const;

export type CommandName = keyof typeof COMMAND_DESCRIPTIONS;
