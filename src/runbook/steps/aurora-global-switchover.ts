import { z } from "zod";
import { writerMoveStep } from "./aurora-global.js";

const params = z.strictObject({
  globalCluster: z.string().min(1),
  /** The secondary cluster (ARN or identifier) that becomes the writer. */
  targetCluster: z.string().min(1),
});

/** A planned move of an Aurora global database's writer: replication is caught up first, no data is lost. */
export const auroraGlobalSwitchoverStep = writerMoveStep({
  kind: "aurora.global-switchover",
  description:
    "switches an Aurora global database's writer to a secondary cluster without data loss (planned), and waits for it",
  action: "SwitchoverGlobalCluster",
  how: "switchover, no data loss",
  params,
});
