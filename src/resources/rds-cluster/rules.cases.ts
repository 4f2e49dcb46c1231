import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedDbCluster } from "./normalize.js";

const cluster = (over: Partial<NormalizedDbCluster> = {}): NormalizedDbCluster => ({
  status: "available",
  engine: "aurora-postgresql",
  engineVersion: "15.4",
  majorVersion: "15",
  engineMode: "provisioned",
  instanceClasses: ["db.r6g.large"],
  encrypted: true,
  backupRetentionDays: 7,
  deletionProtection: true,
  iamAuth: false,
  parameters: { "rds.force_ssl": "1" },
  global: { id: "orders-global", role: "writer", failingOver: false },
  ...over,
});
const standby = (over: Partial<NormalizedDbCluster> = {}) =>
  cluster({ global: { id: "orders-global", role: "secondary", failingOver: false }, ...over });

export const cases: RuleCases<NormalizedDbCluster> = {
  "rds-cluster.engine": {
    pass: [cluster(), standby()],
    fail: [cluster(), standby({ engine: "aurora-mysql" })],
    paths: ["engine"],
  },
  "rds-cluster.engine-version": {
    pass: [cluster(), standby()],
    fail: [cluster(), standby({ engineVersion: "14.9", majorVersion: "14" })],
    paths: ["engineVersion"],
  },
  "rds-cluster.engine-mode": {
    pass: [cluster(), standby()],
    fail: [cluster(), standby({ engineMode: "serverless" })],
    paths: ["engineMode"],
  },
  "rds-cluster.members": {
    pass: [cluster(), standby({ instanceClasses: ["db.r6g.large", "db.r6g.large"] })],
    fail: [cluster({ instanceClasses: ["db.r6g.large", "db.r6g.large"] }), standby()],
    paths: ["members"],
  },
  "rds-cluster.instance-classes": {
    pass: [cluster(), standby()],
    fail: [cluster(), standby({ instanceClasses: ["db.r6g.medium"] })],
    paths: ["instanceClasses"],
  },
  "rds-cluster.encryption": {
    pass: [cluster(), standby()],
    fail: [cluster(), standby({ encrypted: false })],
    paths: ["encrypted"],
  },
  "rds-cluster.backup-retention": {
    pass: [cluster(), standby()],
    fail: [cluster(), standby({ backupRetentionDays: 1 })],
    paths: ["backupRetentionDays"],
  },
  "rds-cluster.deletion-protection": {
    pass: [cluster(), standby()],
    fail: [cluster(), standby({ deletionProtection: false })],
    paths: ["deletionProtection"],
  },
  "rds-cluster.iam-auth": {
    pass: [cluster({ iamAuth: true }), standby({ iamAuth: true })],
    fail: [cluster({ iamAuth: true }), standby()],
    paths: ["iamAuth"],
  },
  "rds-cluster.parameters": {
    pass: [cluster(), standby()],
    fail: [cluster(), standby({ parameters: { "rds.force_ssl": "0" } })],
    paths: ["parameters.rds.force_ssl"],
  },
  "rds-cluster.global-membership": {
    pass: [cluster(), standby()],
    fail: [cluster(), standby({ global: null })],
    paths: ["global"],
  },
  "rds-cluster.promotable": {
    pass: [cluster(), standby()],
    fail: [cluster(), standby({ status: "modifying" })],
    paths: ["promotable"],
  },
};
