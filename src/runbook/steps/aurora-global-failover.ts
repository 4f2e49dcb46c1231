import { FailoverGlobalClusterCommand, RDSClient } from "@aws-sdk/client-rds";
import { z } from "zod";
import type { StepKind } from "../step.js";
import { describeGlobal, memberArn, planWriter, waitForWriter, writerOf } from "./aurora-global.js";

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
type Params = z.infer<typeof params>;

/** The unplanned move: the primary region is down, the secondary takes over with what it has. */
export const auroraGlobalFailoverStep: StepKind<Params> = {
  kind: "aurora.global-failover",
  description:
    "fails an Aurora global database over to a secondary cluster when the primary region is down (unreplicated writes are lost), and waits for it",
  permissions: ["rds:DescribeGlobalClusters", "rds:FailoverGlobalCluster"],
  params,
  outputs: ["writer", "previousWriter"],
  plan: (ctx, p) => planWriter(ctx, p.globalCluster, p.targetCluster, "failover, data loss allowed"),
  async execute(ctx, p) {
    const g = await describeGlobal(ctx, p.globalCluster);
    const previousWriter = writerOf(g);
    const arn = memberArn(g, p.targetCluster);
    if (previousWriter !== arn && g.FailoverState?.ToDbClusterArn !== arn)
      await ctx.aws.get(RDSClient, ctx.region).send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: p.globalCluster,
          TargetDbClusterIdentifier: arn,
          AllowDataLoss: true,
        }),
      );
    await waitForWriter(ctx, p.globalCluster, arn);
    return { writer: arn, previousWriter: g.FailoverState?.FromDbClusterArn ?? previousWriter };
  },
  // Back is a planned move once the old region has rejoined as a secondary: a switchover.
  inverse: (p, out) =>
    out.previousWriter && out.previousWriter !== out.writer
      ? [
          {
            kind: "aurora.global-switchover",
            params: { globalCluster: p.globalCluster, targetCluster: out.previousWriter },
          },
        ]
      : [],
};
