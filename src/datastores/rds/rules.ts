import type { Rule } from "../../core/rule.js";
import type { NormalizedDbInstance } from "./normalize.js";

/** Data protection of an RDS instance and its standby replica (the standby is null for a copy). */
export type DbPair = NormalizedDbInstance | null;
type DbRule = Rule<DbPair>;

const rule = (r: Omit<DbRule, "resourceType">): DbRule => ({ ...r, resourceType: "rds" });
const sides = (p: DbPair, s: DbPair): ["primary" | "standby", DbPair][] => [
  ["primary", p],
  ["standby", s],
];

export const rdsRules: DbRule[] = [
  rule({
    id: "rds.backup-retention",
    severity: "medium",
    title: "Backup retention within the configured range",
    compares:
      "the primary's automated backup retention against `freshness.backupRetentionDays` (default 7 to 30 days, as dr-plan.md asks)",
    rationale:
      "Too short a retention loses the point in time to restore to after a bad change; none turns automated backups off.",
    remediation:
      "Set the instance's backup retention period within the range (modify-db-instance --backup-retention-period).",
    check: (p, _s, settings) => {
      const range = settings.backupRetentionDays ?? { min: 7, max: 30 };
      if (!p || (p.backupRetentionDays >= range.min && p.backupRetentionDays <= range.max)) return [];
      return [
        {
          path: "backupRetentionDays",
          primary: p.backupRetentionDays,
          secondary: null,
          message: `${p.id} keeps automated backups ${p.backupRetentionDays} days, outside ${range.min} to ${range.max}`,
        },
      ];
    },
  }),
  rule({
    id: "rds.multi-az",
    severity: "medium",
    title: "Multi-AZ on the primary",
    compares: "whether the primary instance is Multi-AZ",
    rationale: "A single-AZ primary turns a zone failure into a regional failover, with its data loss.",
    remediation: "Convert the primary to Multi-AZ (modify-db-instance --multi-az).",
    check: (p) =>
      p && !p.multiAz
        ? [{ path: "multiAz", primary: false, secondary: null, message: `${p.id} is a single-AZ primary` }]
        : [],
  }),
  rule({
    id: "rds.deletion-protection",
    severity: "medium",
    title: "Deletion protection on both sides",
    compares: "DeletionProtection of the primary and of its standby replica",
    rationale:
      "A deleted primary or replica takes its data with it; protection makes a mistake fail instead.",
    remediation:
      "Turn deletion protection on (modify-db-instance --deletion-protection) for the instance named.",
    check: (p, s) =>
      sides(p, s).flatMap(([side, d]) => {
        return d && !d.deletionProtection
          ? [
              {
                path: `${side}.deletionProtection`,
                primary: p?.deletionProtection ?? null,
                secondary: s?.deletionProtection ?? null,
                message: `the ${side} ${d.id} has no deletion protection`,
              },
            ]
          : [];
      }),
  }),
  rule({
    id: "rds.encryption",
    severity: "high",
    title: "Storage encrypted on both sides",
    compares: "StorageEncrypted of the primary and of its standby replica",
    rationale:
      "A standby that is not encrypted holds the primary's data in the clear (and a copy of an encrypted one cannot be).",
    remediation: "Encrypt the instance named: restore an encrypted copy of a snapshot, then switch to it.",
    check: (p, s) =>
      sides(p, s).flatMap(([side, d]) => {
        return d && !d.encrypted
          ? [
              {
                path: `${side}.encrypted`,
                primary: p?.encrypted ?? null,
                secondary: s?.encrypted ?? null,
                message: `the ${side} ${d.id} is not encrypted`,
              },
            ]
          : [];
      }),
  }),
  rule({
    id: "rds.engine-version",
    severity: "medium",
    title: "Replica runs the primary's engine version",
    compares: "Engine and EngineVersion of the primary and its replica",
    rationale: "After promotion the application meets another engine version than it was tested on.",
    remediation: "Upgrade the lagging side to the other's engine version.",
    check: (p, s) =>
      p && s && (p.engine !== s.engine || p.engineVersion !== s.engineVersion)
        ? [
            {
              path: "engineVersion",
              primary: `${p.engine} ${p.engineVersion}`,
              secondary: `${s.engine} ${s.engineVersion}`,
              message: `the replica ${s.id} runs ${s.engine} ${s.engineVersion}, the primary ${p.id} ${p.engine} ${p.engineVersion}`,
            },
          ]
        : [],
  }),
];
