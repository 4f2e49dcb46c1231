/**
 * The region-wide RDS lists both the readiness types and freshness's data-store types read: each
 * is fetched once per region and account in a run (the cache keys them by name) and shared.
 */
import {
  paginateDescribeDBClusters,
  paginateDescribeDBInstances,
  paginateDescribeGlobalClusters,
  RDSClient,
  type DBCluster,
  type DBInstance,
  type GlobalCluster,
} from "@aws-sdk/client-rds";
import type { RegionList } from "./region-cache.js";

/** Every DB instance of the region by ARN, 100 a page. */
export const DB_INSTANCES: RegionList<DBInstance> = {
  name: "rds-instances",
  service: "RDS",
  operation: "DescribeDBInstances",
  async *pages(cache) {
    for await (const page of paginateDescribeDBInstances(
      { client: cache.client(RDSClient), pageSize: 100 },
      {},
    ))
      yield page.DBInstances ?? [];
  },
  key: (db) => db.DBInstanceArn ?? "",
};

/** Every DB cluster of the region by ARN, 100 a page. */
export const DB_CLUSTERS: RegionList<DBCluster> = {
  name: "rds-clusters",
  service: "RDS",
  operation: "DescribeDBClusters",
  async *pages(cache) {
    for await (const page of paginateDescribeDBClusters(
      { client: cache.client(RDSClient), pageSize: 100 },
      {},
    ))
      yield page.DBClusters ?? [];
  },
  key: (c) => c.DBClusterArn ?? "",
};

/** Every Aurora global database of the account (any region's endpoint lists them all). */
export const GLOBAL_CLUSTERS: RegionList<GlobalCluster> = {
  name: "rds-global-clusters",
  service: "RDS",
  operation: "DescribeGlobalClusters",
  async *pages(cache) {
    for await (const page of paginateDescribeGlobalClusters(
      { client: cache.client(RDSClient), pageSize: 100 },
      {},
    ))
      yield page.GlobalClusters ?? [];
  },
  key: (g) => g.GlobalClusterArn ?? g.GlobalClusterIdentifier ?? "",
};
