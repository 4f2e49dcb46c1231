import { ops } from "../../aws/services.js";
import {
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  SwitchoverGlobalClusterCommand,
  type GlobalCluster,
} from "@aws-sdk/client-rds";
import type { z } from "zod";
import { NotFoundError, waitFor, waiting, type StepContext, type StepKind, type StepPlan } from "../step.js";
import { known, nameOrAny } from "./grants.js";
import { arnOr, aws, comment, jmesLiteral, word } from "../manual.js";

/** Shared by aurora.global-switchover and aurora.global-failover: reading the global cluster and waiting for its new writer. */
export async function describeGlobal(ctx: StepContext, id: string): Promise<GlobalCluster> {
  const out = await ctx.aws
    .get(RDSClient, ctx.region)
    .send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: id }));
  const g = out.GlobalClusters?.[0];
  if (!g) throw new NotFoundError(`global cluster ${id} not found`);
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
    throw new NotFoundError(
      `${target} is not a member of global cluster ${g.GlobalClusterIdentifier ?? "?"} (members: ${(g.GlobalClusterMembers ?? []).map((m) => m.DBClusterArn).join(", ")})`,
    );
  return arn;
}

/** The global cluster as a move of its writer sees it. */
export interface Writers {
  writer: string;
  /** The member the step moves the writer to. */
  target: string;
  /** A switchover or failover under way: its status and where it goes. */
  moving?: { status: string; to: string; from: string };
}

async function readWriters(ctx: StepContext, global: string, target: string): Promise<Writers> {
  const g = await describeGlobal(ctx, global);
  const f = g.FailoverState;
  return {
    writer: writerOf(g),
    target: memberArn(g, target),
    ...(f?.Status
      ? { moving: { status: f.Status, to: f.ToDbClusterArn ?? "", from: f.FromDbClusterArn ?? "" } }
      : {}),
  };
}

type WriterMove = "SwitchoverGlobalCluster" | "FailoverGlobalCluster";

/** The move by hand: the AWS CLI's switchover or failover, then the read to repeat until it is done. */
function manualWriterMove(action: WriterMove, p: Record<string, unknown>, region: string): string[] {
  return [
    aws(
      "rds",
      action === "FailoverGlobalCluster" ? "failover-global-cluster" : "switchover-global-cluster",
      region,
      {
        "global-cluster-identifier": p.globalCluster,
        // The CLI wants the member's ARN: a cluster named by identifier is looked up.
        "target-db-cluster-identifier": arnOr(p.targetCluster, (id) =>
          aws("rds", "describe-global-clusters", region, {
            "global-cluster-identifier": p.globalCluster,
            query: word(
              "GlobalClusters[0].GlobalClusterMembers[?ends_with(DBClusterArn, ",
              jmesLiteral(word(":cluster:", id)),
              ")].DBClusterArn | [0]",
            ),
            output: "text",
          }),
        ),
        ...(action === "FailoverGlobalCluster" ? { "allow-data-loss": true } : {}),
      },
    ),
    aws("rds", "describe-global-clusters", region, {
      "global-cluster-identifier": p.globalCluster,
      query:
        "GlobalClusters[0].[Status,FailoverState.Status,GlobalClusterMembers[?IsWriter].DBClusterArn | [0]]",
      output: "text",
    }) + comment("repeat until the target is the writer and no switchover or failover is under way"),
  ];
}

/** Starts the move of the global cluster's writer to `target`. */
async function moveWriter(
  ctx: StepContext,
  action: WriterMove,
  global: string,
  target: string,
): Promise<void> {
  const rds = ctx.aws.get(RDSClient, ctx.region);
  await rds.send(
    action === "SwitchoverGlobalCluster"
      ? new SwitchoverGlobalClusterCommand({
          GlobalClusterIdentifier: global,
          TargetDbClusterIdentifier: target,
        })
      : new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: global,
          TargetDbClusterIdentifier: target,
          AllowDataLoss: true,
        }),
  );
}

/** One kind of writer move: a planned switchover or an unplanned failover. */
export function writerMoveStep<P extends { globalCluster: string; targetCluster: string }>(spec: {
  kind: string;
  example?: Record<string, unknown>;
  description: string;
  action: WriterMove;
  how: string;
  params: z.ZodType<P>;
}): StepKind<P, Writers> {
  const plan = (global: string, b: Writers): StepPlan => ({
    current: `${global}: writer ${b.writer}${b.moving ? ` (${b.moving.status} to ${b.moving.to || "?"})` : ""}`,
    target: `${global}: writer ${b.target} (${spec.how})`,
    changes: b.writer !== b.target,
  });
  return {
    kind: spec.kind,
    ...(spec.example ? { example: spec.example } : {}),
    description: spec.description,
    permissions: ops("RDS", "DescribeGlobalClusters", spec.action),
    params: spec.params,
    outputs: ["writer", "previousWriter"],
    idempotent: true,
    reconciles:
      "done when the target writes or the move to it is under way; redone when the old writer still writes and nothing moves",
    grants: (p, where) => [
      {
        actions: [`rds:${spec.action}`],
        resources: [
          `arn:${where.partition}:rds::${where.account}:global-cluster:${nameOrAny(p.globalCluster)}`,
          known(p.targetCluster)?.startsWith("arn:")
            ? String(p.targetCluster)
            : `arn:${where.partition}:rds:*:${where.account}:cluster:${nameOrAny(p.targetCluster)}`,
        ],
      },
    ],
    manual: (p, region) => manualWriterMove(spec.action, p, region),
    read: (ctx, p) => readWriters(ctx, p.globalCluster, p.targetCluster),
    plan: (_ctx, p, b) => plan(p.globalCluster, b),
    async apply(ctx, p, now) {
      // Already the writer, or already moving to it (a resumed run): only wait.
      if (now.writer !== now.target && now.moving?.to !== now.target)
        await moveWriter(ctx, spec.action, p.globalCluster, now.target);
      return {};
    },
    async settle(ctx, p, before) {
      await waitForWriter(ctx, p.globalCluster, before.target);
      return {
        writer: before.target,
        previousWriter:
          before.moving?.to === before.target ? before.moving.from || before.writer : before.writer,
      };
    },
    async reconcile(ctx, p, before) {
      const now = await readWriters(ctx, p.globalCluster, p.targetCluster);
      if (now.writer === now.target || now.moving?.to === now.target)
        return { decision: "done", detail: `${now.target} writes, or the move to it is under way` };
      if (!now.moving && (!before || now.writer === before.writer))
        return { decision: "redo", detail: `${now.writer} still writes; nothing moves` };
      return {
        decision: "ask",
        detail: `the global cluster is ${now.moving?.status ?? "changed"}: writer ${now.writer}, moving to ${now.moving?.to ?? "?"}`,
      };
    },
    // Back is a planned move once the old region has rejoined as a secondary: a switchover.
    inverse: (p, out) =>
      out.previousWriter === undefined
        ? undefined
        : out.previousWriter && out.previousWriter !== out.writer
          ? [
              {
                kind: "aurora.global-switchover",
                params: { globalCluster: p.globalCluster, targetCluster: out.previousWriter },
              },
            ]
          : [],
  };
}

/** Waits until the target writes and no switchover or failover is in progress. */
export function waitForWriter(ctx: StepContext, global: string, arn: string): Promise<GlobalCluster> {
  return waitFor(
    async () => {
      const g = await describeGlobal(ctx, global);
      return writerOf(g) === arn && !g.FailoverState?.Status && g.Status === "available" ? g : undefined;
    },
    waiting(ctx, `${arn} to be the writer of ${global}, with no switchover in progress`),
    10_000,
  );
}
