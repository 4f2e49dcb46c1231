import { RDSClient, SwitchoverGlobalClusterCommand } from "@aws-sdk/client-rds";
import { z } from "zod";
import type { StepKind } from "../step.js";
import { describeGlobal, memberArn, planWriter, waitForWriter, writerOf } from "./aurora-global.js";

const params = z.strictObject({
  globalCluster: z.string().min(1),
  /** The secondary cluster (ARN or identifier) that becomes the writer. */
  targetCluster: z.string().min(1),
});
type Params = z.infer<typeof params>;

/** A planned move of an Aurora global database's writer: replication is caught up first, no data is lost. */
export const auroraGlobalSwitchoverStep: StepKind<Params> = {
  kind: "aurora.global-switchover",
  description:
    "switches an Aurora global database's writer to a secondary cluster without data loss (planned), and waits for it",
  permissions: ["rds:DescribeGlobalClusters", "rds:SwitchoverGlobalCluster"],
  params,
  outputs: ["writer", "previousWriter"],
  plan: (ctx, p) => planWriter(ctx, p.globalCluster, p.targetCluster, "switchover, no data loss"),
  async execute(ctx, p) {
    const g = await describeGlobal(ctx, p.globalCluster);
    const previousWriter = writerOf(g);
    const arn = memberArn(g, p.targetCluster);
    // Already the writer, or already switching to it (a resumed run): only wait.
    if (previousWriter !== arn && g.FailoverState?.ToDbClusterArn !== arn)
      await ctx.aws.get(RDSClient, ctx.region).send(
        new SwitchoverGlobalClusterCommand({
          GlobalClusterIdentifier: p.globalCluster,
          TargetDbClusterIdentifier: arn,
        }),
      );
    await waitForWriter(ctx, p.globalCluster, arn);
    return { writer: arn, previousWriter: g.FailoverState?.FromDbClusterArn ?? previousWriter };
  },
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
