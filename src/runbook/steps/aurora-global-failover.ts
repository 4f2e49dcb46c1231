import { z } from "zod";
import { writerMoveStep } from "./aurora-global.js";

const params = z.strictObject({
  globalCluster: z.string().min(1).describe("The Aurora global database's identifier."),
  /** The secondary cluster (ARN or identifier) that becomes the writer. */
  targetCluster: z
    .string()
    .min(1)
    .describe("The secondary cluster (ARN or identifier) that becomes the writer."),
  /** The writes not yet replicated are lost: the runbook has to say so. */
  allowDataLoss: z
    .literal(true, {
      message:
        "expected allowDataLoss: true (a failover loses unreplicated writes; use aurora.global-switchover when the primary region is healthy)",
    })
    .describe("Must be true: the writes not yet replicated are lost, and the runbook has to say so."),
});

/** The unplanned move: the primary region is down, the secondary takes over with what it has. */
export const auroraGlobalFailoverStep = writerMoveStep({
  kind: "aurora.global-failover",
  example: {
    globalCluster: "orders-global",
    targetCluster: "arn:aws:rds:us-west-2:111122223333:cluster:orders-west",
    allowDataLoss: true,
  },
  description:
    "fails an Aurora global database over to a secondary cluster when the primary region is down (unreplicated writes are lost), and waits for it",
  action: "FailoverGlobalCluster",
  how: "failover, data loss allowed",
  params,
});
