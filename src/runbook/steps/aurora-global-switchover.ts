import { z } from "zod";
import { writerMoveStep } from "./aurora-global.js";

const params = z.strictObject({
  globalCluster: z.string().min(1).describe("The Aurora global database's identifier."),
  /** The secondary cluster (ARN or identifier) that becomes the writer. */
  targetCluster: z
    .string()
    .min(1)
    .describe("The secondary cluster (ARN or identifier) that becomes the writer."),
});

/** A planned move of an Aurora global database's writer: replication is caught up first, no data is lost. */
export const auroraGlobalSwitchoverStep = writerMoveStep({
  kind: "aurora.global-switchover",
  example: {
    globalCluster: "orders-global",
    targetCluster: "arn:aws:rds:us-west-2:111122223333:cluster:orders-west",
  },
  description:
    "switches an Aurora global database's writer to a secondary cluster without data loss (planned), and waits for it",
  action: "SwitchoverGlobalCluster",
  how: "switchover, no data loss",
  params,
});
