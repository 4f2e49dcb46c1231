import { z } from "zod";
import { writerMoveStep } from "./aurora-global.js";

const params = z.strictObject({
  globalCluster: z.string().min(1),
  /** The secondary cluster (ARN or identifier) that becomes the writer. */
  targetCluster: z.string().min(1),
  /** The writes not yet replicated are lost: the runbook has to say so. */
  allowDataLoss: z.literal(true, {
    message:
      "expected allowDataLoss: true (a failover loses unreplicated writes; use aurora.global-switchover when the primary region is healthy)",
  }),
});

/** The unplanned move: the primary region is down, the secondary takes over with what it has. */
export const auroraGlobalFailoverStep = writerMoveStep({
  kind: "aurora.global-failover",
  description:
    "fails an Aurora global database over to a secondary cluster when the primary region is down (unreplicated writes are lost), and waits for it",
  action: "FailoverGlobalCluster",
  how: "failover, data loss allowed",
  params,
});
