import { ops } from "../../aws/services.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { textOf, UntoldTargets, type FaultTarget } from "../targets.js";
import {
  FisClient,
  GetExperimentCommand,
  GetExperimentTemplateCommand,
  ListExperimentsCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from "@aws-sdk/client-fis";
import { z } from "zod";
import { aws, comment } from "../manual.js";
import { awsErrorCode } from "../../aws/errors.js";
import { NotFoundError, waitFor, waiting, type StepContext, type StepKind } from "../step.js";
import { injected, injectedAtOf } from "./fault.js";
import { known } from "./grants.js";

/** The tag an experiment started by a step carries: run/step, so a resumed step finds it. */
const CREATED_BY = "drctl:created-by";

const params = z.strictObject({
  /** The experiment template's id (EXT...). */
  template: z.string().min(1).describe("The FIS experiment template's id (EXT...)."),
});
type Params = z.infer<typeof params>;

interface Before {
  template: string;
  description: string;
  /** An experiment this step already started (a resumed or retried step). */
  experiment?: { id: string; status: string };
}

/** FIS client tokens are at most 64 visible characters. */
const clientToken = (key: string) => key.replace(/[^\x21-\x7e]/g, "-").slice(-64);

async function startedBy(ctx: StepContext, template: string): Promise<Before["experiment"]> {
  const fis = ctx.aws.get(FisClient, ctx.region);
  let nextToken: string | undefined;
  do {
    const page = await fis.send(new ListExperimentsCommand({ nextToken }));
    const hit = page.experiments?.find(
      (e) => e.experimentTemplateId === template && e.tags?.[CREATED_BY] === ctx.idempotencyKey,
    );
    if (hit?.id) return { id: hit.id, status: hit.state?.status ?? "unknown" };
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

async function status(ctx: StepContext, id: string): Promise<{ status: string; reason: string }> {
  const out = await ctx.aws.get(FisClient, ctx.region).send(new GetExperimentCommand({ id }));
  return { status: out.experiment?.state?.status ?? "unknown", reason: out.experiment?.state?.reason ?? "" };
}

const ENDED = ["completed", "stopped", "failed", "cancelled"];
const experimentArn = (
  where: { partition: string; region: string; account: string },
  kind: string,
  id: string,
) => `arn:${where.partition}:fis:${where.region}:${where.account}:${kind}/${id}`;

/**
 * An FIS template's targets: the resources it names by ARN, and those it selects by tags (then
 * the tags stand for every resource selected; they belong to an application whose tags they
 * include). A target selected otherwise (filters, parameters) cannot be told: undefined.
 */
async function fisTemplateTargets(
  aws: AwsClients,
  region: string,
  p: Record<string, unknown>,
): Promise<FaultTarget[]> {
  const out = await aws
    .get(FisClient, region)
    .send(new GetExperimentTemplateCommand({ id: textOf(p.template) }));
  const targets = Object.entries(out.experimentTemplate?.targets ?? {});
  const read: FaultTarget[] = [];
  for (const [key, t] of targets) {
    if (t.resourceArns?.length)
      read.push(...t.resourceArns.map((arn) => ({ name: `${key} ${arn}`, arn, tags: {} })));
    else if (t.resourceTags && Object.keys(t.resourceTags).length > 0)
      read.push({
        name: `${key} (${t.resourceType ?? "resources"} tagged ${Object.entries(t.resourceTags)
          .map(([k, v]) => `${k}=${v}`)
          .join(", ")})`,
        arn: "",
        tags: t.resourceTags,
      });
    else
      throw new UntoldTargets(
        `the FIS template's target ${key} selects its resources otherwise than by ARN or tags`,
      );
  }
  return read;
}

/** Starts an AWS FIS experiment from a template and waits until its actions run. */
export const faultFisExperimentStep: StepKind<Params, Before> = {
  kind: "fault.fis-experiment",
  example: { template: "EXT1a2b3c4d5e6f7" },
  description:
    "fault: starts an AWS FIS experiment from a template (its actions are the fault) and waits until it runs",
  permissions: ops(
    "Fis",
    "GetExperimentTemplate",
    "ListExperiments",
    "StartExperiment",
    "GetExperiment",
    "StopExperiment",
    "TagResource",
  ),
  targets: fisTemplateTargets,
  params,
  outputs: ["experimentId", "injectedAt"],
  idempotent: true,
  reconciles:
    "done when an experiment tagged with the run and step exists; otherwise starts one (its client token makes a repeat return the same experiment)",
  grants: (p, where) => [
    {
      actions: ["fis:StartExperiment"],
      resources: [
        experimentArn(where, "experiment-template", known(p.template) ?? "*"),
        experimentArn(where, "experiment", "*"),
      ],
    },
    {
      actions: ["fis:StopExperiment", "fis:TagResource"],
      resources: [experimentArn(where, "experiment", "*")],
    },
  ],
  async read(ctx, p) {
    try {
      const out = await ctx.aws
        .get(FisClient, ctx.region)
        .send(new GetExperimentTemplateCommand({ id: p.template }));
      const experiment = await startedBy(ctx, p.template);
      return {
        template: out.experimentTemplate?.id ?? p.template,
        description: out.experimentTemplate?.description ?? "",
        ...(experiment ? { experiment } : {}),
      };
    } catch (err) {
      if (awsErrorCode(err) === "ResourceNotFoundException")
        throw new NotFoundError(`no FIS experiment template ${p.template} in ${ctx.region}`);
      throw err;
    }
  },
  plan: (_ctx, p, before) => ({
    current: before.experiment
      ? `experiment ${before.experiment.id} of ${p.template} ${before.experiment.status}`
      : `template ${p.template}${before.description ? ` (${before.description})` : ""}: no experiment of this run`,
    target: `an experiment of ${p.template} running`,
    changes: before.experiment === undefined,
  }),
  async apply(ctx, p, now) {
    const at = injected();
    if (now.experiment) return { ...at, experimentId: now.experiment.id };
    const out = await ctx.aws.get(FisClient, ctx.region).send(
      new StartExperimentCommand({
        experimentTemplateId: p.template,
        clientToken: clientToken(ctx.idempotencyKey),
        tags: { [CREATED_BY]: ctx.idempotencyKey },
      }),
    );
    return { ...at, experimentId: out.experiment?.id ?? "" };
  },
  async settle(ctx, p, _before, applied) {
    const id = applied.experimentId || (await startedBy(ctx, p.template))?.id || "";
    if (!id) throw new Error(`no experiment of ${p.template} started by this step was found`);
    await waitFor(
      async () => {
        const s = await status(ctx, id);
        if (s.status === "running" || s.status === "completed") return true;
        if (ENDED.includes(s.status))
          throw new Error(`experiment ${id} ${s.status}${s.reason ? `: ${s.reason}` : ""}`);
        return undefined;
      },
      waiting(ctx, `experiment ${id} to start`),
      1000,
    );
    return { experimentId: id, ...injectedAtOf(applied) };
  },
  async reconcile(ctx, p) {
    const e = await startedBy(ctx, p.template);
    return e
      ? { decision: "done", detail: `experiment ${e.id} of ${p.template} was started (${e.status})` }
      : { decision: "redo", detail: `no experiment of ${p.template} was started by this step` };
  },
  inverse: (_p, out) =>
    out.experimentId
      ? [{ kind: "fis.stop-experiment", params: { experiment: out.experimentId } }]
      : undefined,
};

const stopParams = z.strictObject({
  experiment: z
    .string()
    .min(1)
    .describe("The experiment's id (EXP...), usually ${steps.ID.outputs.experimentId}."),
});

/** Stops an FIS experiment (its actions roll back as FIS defines) and waits until it has ended. */
export const fisStopExperimentStep: StepKind<z.infer<typeof stopParams>, { status: string }> = {
  kind: "fis.stop-experiment",
  example: { experiment: "EXP1a2b3c4d5e6f7" },
  description: "stops an AWS FIS experiment and waits until it has ended (the undo of fault.fis-experiment)",
  permissions: ops("Fis", "GetExperiment", "StopExperiment"),
  params: stopParams,
  outputs: ["status"],
  idempotent: true,
  reconciles: "done when the experiment has ended (stopped, completed, failed); otherwise stops it",
  manual: (p, region) => [
    aws("fis", "stop-experiment", region, { id: p.experiment }),
    aws("fis", "get-experiment", region, {
      id: p.experiment,
      query: "experiment.state.status",
      output: "text",
    }) + comment("repeat until stopped, completed or failed"),
  ],
  grants: (_p, where) => [
    { actions: ["fis:StopExperiment"], resources: [experimentArn(where, "experiment", "*")] },
  ],
  read: (ctx, p) => status(ctx, p.experiment),
  plan: (_ctx, p, before) => ({
    current: `experiment ${p.experiment} ${before.status}`,
    target: `experiment ${p.experiment} ended`,
    changes: !ENDED.includes(before.status),
  }),
  async apply(ctx, p, now) {
    if (!ENDED.includes(now.status) && now.status !== "stopping")
      await ctx.aws.get(FisClient, ctx.region).send(new StopExperimentCommand({ id: p.experiment }));
    return {};
  },
  async settle(ctx, p) {
    const s = await waitFor(
      async () => {
        const now = await status(ctx, p.experiment);
        return ENDED.includes(now.status) ? now.status : undefined;
      },
      waiting(ctx, `experiment ${p.experiment} to end`),
      1000,
    );
    return { status: s };
  },
  async reconcile(ctx, p) {
    const s = await status(ctx, p.experiment);
    return ENDED.includes(s.status)
      ? { decision: "done", detail: `experiment ${p.experiment} ${s.status}` }
      : { decision: "redo", detail: `experiment ${p.experiment} ${s.status}; stopping it` };
  },
  inverse: () => undefined,
};
