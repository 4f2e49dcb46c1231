import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { QuotaReading } from "../../aws/service-quotas.js";
import type { RdsRegionQuotas } from "../rds-common/quota.js";
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

const quota = (code: string, name: string, value: number): QuotaReading => ({
  service: "rds",
  code,
  name,
  value,
  source: "default",
});
/** The standby's region: `instances` DB instances and `storageGiB` in use; quotas 40 and 100000 GiB (AWS's defaults). */
const inRegion = (instances: number, storageGiB: number): RdsRegionQuotas => ({
  dbInstances: {
    region: "eu-west-1",
    inUse: { count: instances },
    quota: quota("L-7B6409FD", "DB instances", 40),
  },
  storageGiB: {
    region: "eu-west-1",
    inUse: { count: storageGiB },
    quota: quota("L-7ADDB58A", "Total storage for all DB instances", 100000),
  },
});

export const cases: RuleCases<NormalizedDbCluster> = {
  "rds-cluster.instance-quota": {
    // The primary has 3 members, the standby 1: 38 + 2 = 40 fits, 39 + 2 does not.
    pass: [
      cluster({ footprint: { instances: 3, storageGiB: 0 } }),
      standby({ footprint: { instances: 1, storageGiB: 0 }, regionQuotas: inRegion(38, 0) }),
    ],
    fail: [
      cluster({ footprint: { instances: 3, storageGiB: 0 } }),
      standby({ footprint: { instances: 1, storageGiB: 0 }, regionQuotas: inRegion(39, 0) }),
    ],
    paths: ["regionQuotas.dbInstances"],
  },
  "rds-cluster.storage-quota": {
    // A Multi-AZ DB cluster: 3 members of 400 GiB on the primary, 1 on the standby.
    pass: [
      cluster({ engine: "postgres", footprint: { instances: 3, storageGiB: 1200 } }),
      standby({
        engine: "postgres",
        footprint: { instances: 1, storageGiB: 400 },
        regionQuotas: inRegion(1, 99200),
      }),
    ],
    fail: [
      cluster({ engine: "postgres", footprint: { instances: 3, storageGiB: 1200 } }),
      standby({
        engine: "postgres",
        footprint: { instances: 1, storageGiB: 400 },
        regionQuotas: inRegion(1, 99500),
      }),
    ],
    paths: ["regionQuotas.storageGiB"],
  },
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
