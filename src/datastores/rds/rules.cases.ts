import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedDbInstance } from "./normalize.js";
import type { DbPair } from "./rules.js";

const db = (id: string, over: Partial<NormalizedDbInstance> = {}): NormalizedDbInstance => ({
  id,
  engine: "mysql",
  engineVersion: "8.0.39",
  multiAz: true,
  backupRetentionDays: 7,
  deletionProtection: true,
  encrypted: true,
  ...over,
});

export const cases: RuleCases<DbPair> = {
  "rds.backup-retention": {
    pass: [db("orders-db", { backupRetentionDays: 30 }), null],
    fail: [db("orders-db", { backupRetentionDays: 1 }), null],
    paths: ["backupRetentionDays"],
  },
  "rds.multi-az": {
    pass: [db("orders-db"), db("orders-db-replica", { multiAz: false })],
    fail: [db("orders-db", { multiAz: false }), null],
    paths: ["multiAz"],
  },
  "rds.deletion-protection": {
    pass: [db("orders-db"), db("orders-db-replica")],
    fail: [db("orders-db"), db("orders-db-replica", { deletionProtection: false })],
    paths: ["standby.deletionProtection"],
  },
  "rds.encryption": {
    pass: [db("orders-db"), db("orders-db-replica")],
    fail: [db("orders-db", { encrypted: false }), db("orders-db-replica", { encrypted: false })],
    paths: ["primary.encrypted", "standby.encrypted"],
  },
  "rds.engine-version": {
    pass: [db("orders-db"), db("orders-db-replica")],
    fail: [db("orders-db"), db("orders-db-replica", { engineVersion: "8.0.35" })],
    paths: ["engineVersion"],
  },
};
