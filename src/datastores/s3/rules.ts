import type { Rule } from "../../core/rule.js";

/** A bucket pair as the posture rules see it: versioning of both, and how deletes replicate. */
export interface NormalizedBucket {
  name: string;
  versioning: string;
  /** Whether a replication rule to this pair's destination replicates delete markers (null: no such rule). */
  replicatesDeleteMarkers: boolean | null;
}
export type BucketPair = NormalizedBucket | null;

export const s3Rules: Rule<BucketPair>[] = [
  {
    id: "s3.versioning",
    resourceType: "s3",
    severity: "high",
    title: "Versioning on both buckets",
    compares: "the versioning status of the source bucket and of its replication destination",
    rationale:
      "Replication needs versioning on both buckets; without it on the destination, an overwrite or a delete there loses the only copy.",
    remediation:
      "Enable versioning on the bucket named (put-bucket-versioning --versioning-configuration Status=Enabled).",
    check: (p, s) =>
      [p, s].flatMap((b, i) =>
        b && b.versioning !== "Enabled"
          ? [
              {
                path: `${i === 0 ? "primary" : "standby"}.versioning`,
                primary: p?.versioning ?? null,
                secondary: s?.versioning ?? null,
                message: `versioning of ${b.name} is ${b.versioning === "Off" ? "off" : b.versioning.toLowerCase()}`,
              },
            ]
          : [],
      ),
  },
  {
    id: "s3.delete-marker-replication",
    resourceType: "s3",
    severity: "low",
    title: "Delete markers replicated",
    compares: "whether the replication rules to the standby replicate delete markers",
    rationale:
      "Objects deleted in the primary stay readable in the standby when delete markers are not replicated: after failover the application sees data it had deleted.",
    remediation:
      "Set DeleteMarkerReplication to Enabled on the replication rule, or suppress this finding if keeping deleted objects in the standby is intended.",
    check: (p) =>
      p && p.replicatesDeleteMarkers === false
        ? [
            {
              path: "replication.deleteMarkerReplication",
              primary: false,
              secondary: null,
              message: `${p.name} does not replicate delete markers: objects deleted in the primary stay in the standby`,
            },
          ]
        : [],
  },
];
