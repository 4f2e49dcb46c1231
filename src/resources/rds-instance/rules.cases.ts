import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { QuotaReading } from "../../aws/service-quotas.js";
import type { NormalizedDbInstance } from "./normalize.js";
import type { RdsRegionQuotas } from "../rds-common/quota.js";

const PRIMARY = "arn:aws:rds:us-east-1:123456789012:db:orders-db-use1";

const db = (over: Partial<NormalizedDbInstance> = {}): NormalizedDbInstance => ({
  arn: PRIMARY,
  status: "available",
  engine: "postgres",
  engineVersion: "15.4",
  majorVersion: "15",
  instanceClass: "db.r6g.large",
  storageType: "gp3",
  allocatedGiB: 100,
  multiAz: true,
  encrypted: true,
  backupRetentionDays: 7,
  deletionProtection: true,
  iamAuth: false,
  performanceInsights: true,
  parameters: { max_connections: "200" },
  options: {},
  replicaSource: null,
  ...over,
});
const standby = (over: Partial<NormalizedDbInstance> = {}) =>
  db({ arn: "arn:aws:rds:eu-west-1:123456789012:db:orders-db-euw1", ...over });

const quota = (service: string, code: string, name: string, value: number): QuotaReading => ({
  service,
  code,
  name,
  value,
  source: "applied",
});
/** A standby in a region with `instances` DB instances and `storageGiB` GiB in use, quotas 40 and 1000 GiB. */
const inRegion = (instances: number, storageGiB: number): RdsRegionQuotas => ({
  dbInstances: {
    region: "eu-west-1",
    inUse: { count: instances },
    quota: quota("rds", "L-7B6409FD", "DB instances", 40),
  },
  storageGiB: {
    region: "eu-west-1",
    inUse: { count: storageGiB },
    quota: quota("rds", "L-7ADDB58A", "Total storage for all DB instances", 1000),
  },
});

export const cases: RuleCases<NormalizedDbInstance> = {
  "rds-instance.instance-quota": {
    // The primary has 2 read replicas, the standby none: 38 + 2 = 40 fits.
    pass: [
      db({ footprint: { instances: 3, storageGiB: 300 } }),
      standby({ footprint: { instances: 1, storageGiB: 100 }, regionQuotas: inRegion(38, 100) }),
    ],
    fail: [
      db({ footprint: { instances: 3, storageGiB: 300 } }),
      standby({ footprint: { instances: 1, storageGiB: 100 }, regionQuotas: inRegion(39, 100) }),
    ],
    paths: ["regionQuotas.dbInstances"],
  },
  "rds-instance.storage-quota": {
    // 800 GiB in use + (300 - 100) = 1000 fits; 900 + 200 does not.
    pass: [
      db({ footprint: { instances: 1, storageGiB: 300 } }),
      standby({ footprint: { instances: 1, storageGiB: 100 }, regionQuotas: inRegion(1, 800) }),
    ],
    fail: [
      db({ footprint: { instances: 1, storageGiB: 300 } }),
      standby({ footprint: { instances: 1, storageGiB: 100 }, regionQuotas: inRegion(1, 900) }),
    ],
    paths: ["regionQuotas.storageGiB"],
  },
  "rds-instance.engine": {
    pass: [db(), standby()],
    fail: [db(), standby({ engine: "mysql" })],
    paths: ["engine"],
  },
  "rds-instance.engine-version": {
    pass: [db(), standby()],
    fail: [db(), standby({ engineVersion: "14.9", majorVersion: "14" })],
    paths: ["engineVersion"],
  },
  "rds-instance.replica-source": {
    pass: [db(), standby({ replicaSource: PRIMARY })],
    fail: [db(), standby({ replicaSource: "arn:aws:rds:us-east-1:123456789012:db:billing-db-use1" })],
    paths: ["replicaSource"],
  },
  "rds-instance.status": {
    pass: [db({ status: "backing-up" }), standby()],
    fail: [db(), standby({ status: "stopped" })],
    paths: ["status"],
  },
  "rds-instance.instance-class": {
    pass: [db(), standby()],
    fail: [db(), standby({ instanceClass: "db.t3.medium" })],
    paths: ["instanceClass"],
  },
  "rds-instance.storage-type": {
    pass: [db(), standby()],
    fail: [db(), standby({ storageType: "gp2" })],
    paths: ["storageType"],
  },
  "rds-instance.allocated-storage": {
    pass: [db(), standby({ allocatedGiB: 200 })],
    fail: [db(), standby({ allocatedGiB: 50 })],
    paths: ["allocatedGiB"],
  },
  "rds-instance.multi-az": {
    pass: [db(), standby()],
    fail: [db(), standby({ multiAz: false })],
    paths: ["multiAz"],
  },
  "rds-instance.encryption": {
    pass: [db(), standby()],
    fail: [db(), standby({ encrypted: false })],
    paths: ["encrypted"],
  },
  "rds-instance.backup-retention": {
    pass: [db(), standby()],
    fail: [db(), standby({ backupRetentionDays: 1 })],
    paths: ["backupRetentionDays"],
  },
  "rds-instance.deletion-protection": {
    pass: [db(), standby()],
    fail: [db(), standby({ deletionProtection: false })],
    paths: ["deletionProtection"],
  },
  "rds-instance.iam-auth": {
    pass: [db({ iamAuth: true }), standby({ iamAuth: true })],
    fail: [db({ iamAuth: true }), standby()],
    paths: ["iamAuth"],
  },
  "rds-instance.performance-insights": {
    pass: [db(), standby()],
    fail: [db(), standby({ performanceInsights: false })],
    paths: ["performanceInsights"],
  },
  "rds-instance.parameters": {
    pass: [db(), standby()],
    fail: [
      db({ parameters: { max_connections: "200", work_mem: "64MB" } }),
      standby({ parameters: { max_connections: "100", statement_timeout: "0" } }),
    ],
    paths: ["parameters.max_connections", "parameters.statement_timeout", "parameters.work_mem"],
  },
  "rds-instance.options": {
    pass: [
      db({ options: { Timezone: "TIME_ZONE=UTC" } }),
      standby({ options: { Timezone: "TIME_ZONE=UTC" } }),
    ],
    fail: [
      db({ options: { Timezone: "TIME_ZONE=UTC", TDE: "(on)" } }),
      standby({ options: { Timezone: "TIME_ZONE=Europe/Paris" } }),
    ],
    paths: ["options.TDE", "options.Timezone"],
  },
};
