import { describe, expect, it } from "vitest";
import { majorVersion } from "../rds-common/compare.js";
import { normalizeDbInstance, optionsOf } from "./normalize.js";
import { crossRegionReplicas } from "./pairing.js";

describe("majorVersion", () => {
  it.each([
    ["postgres", "15.4", "15"],
    ["postgres", "9.6.24", "9.6"],
    ["mysql", "8.0.35", "8.0"],
    ["mariadb", "10.11.6", "10.11"],
    ["sqlserver-se", "15.00.4345.5.v1", "15.00"],
    ["oracle-ee", "19.0.0.0.ru-2024-01.rur-2024-01.r1", "19.0"],
    ["aurora-postgresql", "15.4", "15"],
    ["aurora-mysql", "8.0.mysql_aurora.3.05.2", "8.0"],
  ])("%s %s -> %s", (engine, version, major) => expect(majorVersion(engine, version)).toBe(major));
});

describe("normalizeDbInstance", () => {
  it("keeps meaning only: no key ARN, zone or group names; options in words", () => {
    const n = normalizeDbInstance(
      {
        DBInstanceArn: "arn:aws:rds:us-east-1:123456789012:db:orders-db-use1",
        Engine: "mysql",
        EngineVersion: "8.0.35",
        StorageEncrypted: true,
        KmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/abc",
        AvailabilityZone: "us-east-1a",
      },
      { max_connections: "200" },
      {
        Options: [
          {
            OptionName: "MARIADB_AUDIT_PLUGIN",
            OptionSettings: [
              { Name: "SERVER_AUDIT_EVENTS", Value: "CONNECT" },
              { Name: "EMPTY", Value: "" },
            ],
          },
          { OptionName: "MEMCACHED", Port: 11211, OptionVersion: "1.0" },
          { OptionName: "TDE" },
        ],
      },
    );
    expect(n).toMatchObject({
      encrypted: true,
      majorVersion: "8.0",
      replicaSource: null,
      backupRetentionDays: 0,
    });
    expect(JSON.stringify(n)).not.toMatch(/kms|us-east-1a/);
    expect(n.options).toEqual({
      MARIADB_AUDIT_PLUGIN: "SERVER_AUDIT_EVENTS=CONNECT",
      MEMCACHED: "version 1.0, port 11211",
      TDE: "(on)",
    });
    expect(optionsOf(undefined)).toEqual({});
  });
});

describe("crossRegionReplicas", () => {
  it("records each cross-region replica a source lists once, and no same-region replica", () => {
    const source = "arn:aws:rds:us-east-1:123456789012:db:orders-db-use1";
    const remote = "arn:aws:rds:eu-west-1:123456789012:db:orders-db-euw1";
    expect(
      crossRegionReplicas({
        DBInstanceArn: source,
        ReadReplicaDBInstanceIdentifiers: [
          remote,
          "orders-db-reader",
          remote,
          "arn:aws:rds:us-east-1:123456789012:db:x",
        ],
      }),
    ).toEqual([{ primaryArn: source, standbyArn: remote, via: "the cross-region read replica it lists" }]);
  });
});
