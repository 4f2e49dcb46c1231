import {
  paginateDescribeDBInstanceAutomatedBackups,
  paginateDescribeDBSnapshots,
  RDSClient,
  type DBInstanceAutomatedBackup,
  type DBSnapshot,
} from "@aws-sdk/client-rds";
import type { RegionList } from "../../aws/region-cache.js";

/** Every manual DB snapshot of the region (copies from other regions among them). */
export const DB_SNAPSHOTS: RegionList<DBSnapshot> = {
  name: "rds-snapshots",
  service: "RDS",
  operation: "DescribeDBSnapshots",
  async *pages(cache) {
    for await (const page of paginateDescribeDBSnapshots(
      { client: cache.client(RDSClient), pageSize: 100 },
      { SnapshotType: "manual" },
    ))
      yield page.DBSnapshots ?? [];
  },
  key: (s) => s.DBSnapshotArn ?? "",
};

/** The region's automated backups, replicated ones from other regions among them. */
export const AUTOMATED_BACKUPS: RegionList<DBInstanceAutomatedBackup> = {
  name: "rds-automated-backups",
  service: "RDS",
  operation: "DescribeDBInstanceAutomatedBackups",
  async *pages(cache) {
    for await (const page of paginateDescribeDBInstanceAutomatedBackups(
      { client: cache.client(RDSClient), pageSize: 100 },
      {},
    ))
      yield page.DBInstanceAutomatedBackups ?? [];
  },
  key: (b) => b.DBInstanceAutomatedBackupsArn ?? `${b.DBInstanceArn ?? ""}|${b.Region ?? ""}`,
};
