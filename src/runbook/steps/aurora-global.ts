import { DescribeGlobalClustersCommand, RDSClient, type GlobalCluster } from "@aws-sdk/client-rds";
import { waitFor, type StepContext, type StepPlan } from "../step.js";

/** Shared by aurora.global-switchover and aurora.global-failover: reading the global cluster and waiting for its new writer. */
export async function describeGlobal(ctx: StepContext, id: string): Promise<GlobalCluster> {
  const out = await ctx.aws
    .get(RDSClient, ctx.region)
    .send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: id }));
  const g = out.GlobalClusters?.[0];
  if (!g) throw new Error(`global cluster ${id} not found`);
  return g;
}

export const writerOf = (g: GlobalCluster) =>
  g.GlobalClusterMembers?.find((m) => m.IsWriter)?.DBClusterArn ?? "";

/** The target may be given by ARN or by cluster identifier (then it must be a member). */
export function memberArn(g: GlobalCluster, target: string): string {
  const arn = g.GlobalClusterMembers?.map((m) => m.DBClusterArn ?? "").find(
    (a) => a === target || a.endsWith(`:cluster:${target}`),
  );
  if (!arn)
    throw new Error(
      `${target} is not a member of global cluster ${g.GlobalClusterIdentifier ?? "?"} (members: ${(g.GlobalClusterMembers ?? []).map((m) => m.DBClusterArn).join(", ")})`,
    );
  return arn;
}

export async function planWriter(
  ctx: StepContext,
  global: string,
  target: string,
  how: string,
): Promise<StepPlan> {
  const g = await describeGlobal(ctx, global);
  const writer = writerOf(g);
  const arn = memberArn(g, target);
  return {
    current: `${global}: writer ${writer}${g.FailoverState?.Status ? ` (${g.FailoverState.Status} to ${g.FailoverState.ToDbClusterArn ?? "?"})` : ""}`,
    target: `${global}: writer ${arn} (${how})`,
    changes: writer !== arn,
  };
}

/** Waits until the target writes and no switchover or failover is in progress. */
export function waitForWriter(ctx: StepContext, global: string, arn: string): Promise<GlobalCluster> {
  return waitFor(
    async () => {
      const g = await describeGlobal(ctx, global);
      return writerOf(g) === arn && !g.FailoverState?.Status && g.Status === "available" ? g : undefined;
    },
    ctx.signal,
    10_000,
  );
}
