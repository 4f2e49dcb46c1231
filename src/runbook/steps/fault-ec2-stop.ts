import { ops } from "../../aws/services.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { partitionOf, tagsOf, textOf, type FaultTarget } from "../targets.js";
import {
  DescribeInstancesCommand,
  EC2Client,
  StartInstancesCommand,
  StopInstancesCommand,
} from "@aws-sdk/client-ec2";
import { z } from "zod";
import { aws } from "../manual.js";
import {
  NotFoundError,
  reconcileByTarget,
  waitFor,
  waiting,
  type StepContext,
  type StepKind,
} from "../step.js";
import { injected, injectedAtOf } from "./fault.js";

const ids = z.array(z.string().regex(/^i-[0-9a-f]+$/, { message: "expected instance ids i-..." })).min(1);
const params = z
  .strictObject({
    instances: ids.optional().describe("The instances to stop, by id; or tags."),
    /** Instances carrying all these tags (running ones), instead of ids (at least one: never every instance). */
    tags: z
      .record(z.string().min(1), z.string())
      .refine((t) => Object.keys(t).length > 0, {
        message:
          "expected at least one tag: a selector without a tag would stop every instance of the region",
      })
      .optional()
      .describe("Or the running instances carrying all these tags (at least one: never every instance)."),
    /** Wait until they are stopped (default true). */
    wait: z.boolean().default(true).describe("Wait until they are stopped."),
  })
  .refine((p) => (p.instances === undefined) !== (p.tags === undefined), {
    message: "expected instances or tags (one of them)",
  });
type Params = z.infer<typeof params>;

interface Instance {
  id: string;
  state: string;
}

async function describe(ctx: StepContext, p: { instances?: string[]; tags?: Record<string, string> }) {
  const out = await ctx.aws
    .get(EC2Client, ctx.region)
    .send(
      new DescribeInstancesCommand(
        p.instances
          ? { InstanceIds: p.instances }
          : { Filters: Object.entries(p.tags ?? {}).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] })) },
      ),
    );
  const all: Instance[] = (out.Reservations ?? []).flatMap((r) =>
    (r.Instances ?? []).map((i) => ({ id: i.InstanceId ?? "", state: i.State?.Name ?? "unknown" })),
  );
  return all.filter((i) => i.state !== "terminated" && i.state !== "shutting-down");
}

const running = (all: Instance[]) => all.filter((i) => i.state === "running" || i.state === "pending");
const list = (all: Instance[]) => all.map((i) => `${i.id} ${i.state}`).join(", ") || "no instance";

async function waitState(ctx: StepContext, instances: string[], want: string): Promise<void> {
  if (instances.length === 0) return;
  await waitFor(
    async () => ((await describe(ctx, { instances })).every((i) => i.state === want) ? true : undefined),
    waiting(ctx, `${instances.length} instance(s) to be ${want}`),
    1000,
  );
}

/** What it acts on, read from AWS before a drill injects it (the drill checks whose these are). */
async function instancesTargets(
  aws: AwsClients,
  region: string,
  p: Record<string, unknown>,
): Promise<FaultTarget[]> {
  const ids = Array.isArray(p.instances) ? p.instances.map(textOf) : undefined;
  const tags = (p.tags ?? {}) as Record<string, unknown>;
  const out = await aws
    .get(EC2Client, region)
    .send(
      new DescribeInstancesCommand(
        ids
          ? { InstanceIds: ids }
          : { Filters: Object.entries(tags).map(([k, v]) => ({ Name: `tag:${k}`, Values: [textOf(v)] })) },
      ),
    );
  return (out.Reservations ?? []).flatMap((r) =>
    (r.Instances ?? [])
      .filter((i) => !["terminated", "shutting-down"].includes(i.State?.Name ?? ""))
      .map((i) => ({
        name: `instance ${i.InstanceId ?? ""}`,
        arn: `arn:${partitionOf(region)}:ec2:${region}:${r.OwnerId ?? ""}:instance/${i.InstanceId ?? ""}`,
        tags: tagsOf(i.Tags),
      })),
  );
}

/** Stops instances (by id, or the running ones carrying tags); its inverse starts those it stopped. */
export const faultEc2StopStep: StepKind<Params, Instance[]> = {
  kind: "fault.ec2-stop",
  example: { tags: { app: "shop", tier: "web" } },
  description:
    "fault: stops EC2 instances (by id, or the running ones with some tags) and waits until stopped",
  permissions: ops("EC2", "DescribeInstances", "StopInstances", "StartInstances"),
  targets: instancesTargets,
  params,
  outputs: ["stopped", "injectedAt"],
  idempotent: true,
  reconciles: "done when the instances it found running are stopping or stopped; otherwise stops them",
  async read(ctx, p) {
    const all = await describe(ctx, p);
    if (p.instances && all.length === 0)
      throw new NotFoundError(`none of ${p.instances.join(", ")} exists in ${ctx.region}`);
    return all;
  },
  plan: (_ctx, _p, before) => ({
    current: list(before),
    target: running(before).length
      ? `${running(before)
          .map((i) => i.id)
          .join(", ")} stopped`
      : "nothing running to stop",
    changes: running(before).length > 0,
    ...(before.length === 0 ? { fails: "no instance matches the tags" } : {}),
  }),
  async apply(ctx, _p, now) {
    const at = injected();
    const ids = running(now).map((i) => i.id);
    if (ids.length)
      await ctx.aws.get(EC2Client, ctx.region).send(new StopInstancesCommand({ InstanceIds: ids }));
    return at;
  },
  async settle(ctx, p, before, applied) {
    const stopped = running(before).map((i) => i.id);
    if (p.wait) await waitState(ctx, stopped, "stopped");
    return { stopped: stopped.join(","), ...injectedAtOf(applied) };
  },
  async reconcile(ctx, _p, before) {
    const ids = running(before ?? []).map((i) => i.id);
    const now = ids.length ? await describe(ctx, { instances: ids }) : [];
    return reconcileByTarget(running(now).length === 0, undefined, `${ids.join(", ") || "nothing"} stopped`);
  },
  inverse: (_p, out) =>
    out.stopped === undefined
      ? undefined
      : out.stopped === ""
        ? []
        : [{ kind: "ec2.start-instances", params: { instances: out.stopped.split(",") } }],
};

const startParams = z.strictObject({ instances: ids.describe("The instances to start, by id.") });

/** Starts instances and waits until they run: the undo of fault.ec2-stop. */
export const ec2StartInstancesStep: StepKind<z.infer<typeof startParams>, Instance[]> = {
  kind: "ec2.start-instances",
  example: { instances: ["i-0123456789abcdef0"] },
  description: "starts EC2 instances and waits until they are running (the undo of fault.ec2-stop)",
  permissions: ops("EC2", "DescribeInstances", "StartInstances"),
  params: startParams,
  outputs: [],
  idempotent: true,
  reconciles: "done when the instances are running or starting; otherwise starts them",
  manual: (p, region) => [
    aws("ec2", "start-instances", region, { "instance-ids": p.instances }),
    aws("ec2", "wait instance-running", region, { "instance-ids": p.instances }),
  ],
  read: (ctx, p) => describe(ctx, p),
  plan: (_ctx, p, before) => ({
    current: list(before),
    target: `${p.instances.join(", ")} running`,
    changes: running(before).length < p.instances.length,
  }),
  async apply(ctx, p, now) {
    const stopped = now.filter((i) => i.state === "stopped").map((i) => i.id);
    // A stopping instance cannot be started yet: wait for it to stop first.
    const stopping = now.filter((i) => i.state === "stopping").map((i) => i.id);
    await waitState(ctx, stopping, "stopped");
    const start = [...stopped, ...stopping];
    if (start.length)
      await ctx.aws.get(EC2Client, ctx.region).send(new StartInstancesCommand({ InstanceIds: start }));
    void p;
    return {};
  },
  async settle(ctx, p) {
    await waitState(ctx, p.instances, "running");
    return {};
  },
  async reconcile(ctx, p) {
    const now = await describe(ctx, p);
    return reconcileByTarget(
      running(now).length === p.instances.length,
      undefined,
      `${p.instances.join(", ")} running`,
    );
  },
  inverse: () => undefined,
};
