import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedIndex, NormalizedTable } from "./normalize.js";

const index = (partition: string, type = "ALL", include: string[] = []): NormalizedIndex => ({
  key: { partition, sort: null },
  projection: { type, include: { $set: include } },
});

const table = (over: Partial<NormalizedTable> = {}): NormalizedTable => ({
  key: { partition: "pk", sort: "sk" },
  attributes: { pk: "S", sk: "S", status: "S" },
  globalIndexes: { byStatus: index("status", "INCLUDE", ["total", "placedAt"]) },
  localIndexes: {},
  billingMode: "PROVISIONED",
  capacity: { read: 100, write: 50, "index byStatus read": 20, "index byStatus write": 10 },
  autoScaling: {},
  encryption: "KMS",
  stream: { enabled: true, viewType: "NEW_AND_OLD_IMAGES" },
  pointInTimeRecovery: true,
  ttl: { enabled: true, attribute: "expiresAt" },
  deletionProtection: true,
  ...over,
});

export const cases: RuleCases<NormalizedTable> = {
  "dynamodb-table.key-schema": {
    pass: [table(), table()],
    fail: [table(), table({ key: { partition: "pk", sort: null } })],
    paths: ["key"],
  },
  "dynamodb-table.attribute-definitions": {
    pass: [table(), table({ attributes: { status: "S", sk: "S", pk: "S" } })],
    fail: [table(), table({ attributes: { pk: "S", sk: "N" } })],
    paths: ["attributes.sk", "attributes.status"],
  },
  "dynamodb-table.global-indexes": {
    pass: [
      table(),
      table({ globalIndexes: { byStatus: index("status", "INCLUDE", ["placedAt", "total"]) } }),
    ],
    fail: [
      table({
        globalIndexes: { byStatus: index("status", "INCLUDE", ["total"]), byCustomer: index("customer") },
      }),
      table({ globalIndexes: { byStatus: index("status", "KEYS_ONLY") } }),
    ],
    paths: ["globalIndexes.byCustomer", "globalIndexes.byStatus"],
  },
  "dynamodb-table.local-indexes": {
    pass: [
      table({ localIndexes: { byDate: index("pk") } }),
      table({ localIndexes: { byDate: index("pk") } }),
    ],
    fail: [table({ localIndexes: { byDate: index("pk") } }), table()],
    paths: ["localIndexes.byDate"],
  },
  "dynamodb-table.billing-mode": {
    pass: [table(), table()],
    fail: [table({ billingMode: "PAY_PER_REQUEST", capacity: null }), table()],
    paths: ["billingMode"],
  },
  "dynamodb-table.provisioned-capacity": {
    // 85 reads is within 20% of 100, 60 writes within 20% of 50.
    pass: [
      table(),
      table({ capacity: { read: 85, write: 60, "index byStatus read": 20, "index byStatus write": 10 } }),
    ],
    fail: [
      table(),
      table({ capacity: { read: 79, write: 50, "index byStatus read": 25, "index byStatus write": 10 } }),
    ],
    paths: ["capacity.read", "capacity.index byStatus read"],
  },
  "dynamodb-table.auto-scaling": {
    // A minimum of 9 is within 20% of 10, a maximum of 110 of 100, a target of 75% of 70%.
    pass: [
      table({ autoScaling: { read: { min: 10, max: 100, targetUtilization: 70 } } }),
      table({ autoScaling: { read: { min: 9, max: 110, targetUtilization: 75 } } }),
    ],
    fail: [
      table({
        autoScaling: {
          read: { min: 10, max: 100, targetUtilization: 70 },
          write: { min: 5, max: 50, targetUtilization: 70 },
        },
      }),
      table({ autoScaling: { read: { min: 10, max: 50, targetUtilization: 70 } } }),
    ],
    paths: ["autoScaling.read.max", "autoScaling.write"],
  },
  "dynamodb-table.encryption": {
    pass: [table(), table()],
    fail: [table(), table({ encryption: "AWS owned key" })],
    paths: ["encryption"],
  },
  "dynamodb-table.stream": {
    pass: [table(), table()],
    fail: [table(), table({ stream: { enabled: true, viewType: "KEYS_ONLY" } })],
    paths: ["stream"],
  },
  "dynamodb-table.point-in-time-recovery": {
    pass: [table(), table()],
    fail: [table(), table({ pointInTimeRecovery: false })],
    paths: ["pointInTimeRecovery"],
  },
  "dynamodb-table.ttl": {
    pass: [table(), table()],
    fail: [table(), table({ ttl: { enabled: true, attribute: "ttl" } })],
    paths: ["ttl"],
  },
  "dynamodb-table.deletion-protection": {
    pass: [table(), table()],
    fail: [table(), table({ deletionProtection: false })],
    paths: ["deletionProtection"],
  },
};
