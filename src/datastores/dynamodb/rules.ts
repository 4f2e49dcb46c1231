import type { Rule } from "../../core/rule.js";

/** A table as the posture rules see it (the standby's is null when it has none). */
export interface NormalizedTable {
  name: string;
  region: string;
  pointInTimeRecovery: boolean;
}
export type TablePair = NormalizedTable | null;

export const dynamodbRules: Rule<TablePair>[] = [
  {
    id: "dynamodb.point-in-time-recovery",
    resourceType: "dynamodb",
    severity: "medium",
    title: "Point-in-time recovery on both sides",
    compares: "the point-in-time recovery status of the primary table and of its standby replica",
    rationale:
      "A replica copies a bad write or a deletion as faithfully as a good one; point-in-time recovery is what restores the table to before it, in either region.",
    remediation:
      "Turn point-in-time recovery on for the table in the region named (update-continuous-backups).",
    check: (p, s) =>
      [p, s].flatMap((t, i) => {
        const side = i === 0 ? "primary" : "standby";
        return t && !t.pointInTimeRecovery
          ? [
              {
                path: `${side}.pointInTimeRecovery`,
                primary: p?.pointInTimeRecovery ?? null,
                secondary: s?.pointInTimeRecovery ?? null,
                message: `point-in-time recovery is off for ${t.name} in ${t.region}`,
              },
            ]
          : [];
      }),
  },
];
