import { ops } from "../../aws/services.js";
import { z } from "zod";
import { ListTagsForResourceCommand, Route53Client } from "@aws-sdk/client-route-53";
import { Secrets } from "../secrets.js";
import type { StepContext } from "../step.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { partitionOf, tagsOf, textOf, type FaultTarget } from "../targets.js";
import { reconcileByTarget, type StepKind } from "../step.js";
import { injected, injectedAtOf } from "./fault.js";
import {
  healthCheckArn,
  readCheck,
  restoreHealthCheck,
  route53HealthCheckStep,
  updateCheck,
  type CheckState,
} from "./route53-health-check.js";

const params = z.strictObject({
  /** The health check's id, or the domain name it checks. */
  healthCheck: z.string().min(1).describe("The health check's id, or the domain name it checks."),
  /**
   * invert: Route 53 reports the endpoint unhealthy whatever it answers (DNS fails over);
   * disable: Route 53 treats it as healthy whatever it answers (DNS never fails over: a test of
   * what happens when the health check is wrong).
   */
  action: z
    .enum(["invert", "disable"])
    .default("invert")
    .describe(
      "invert: Route 53 reports the endpoint unhealthy whatever it answers (DNS fails over); disable: it reports it healthy whatever it answers (DNS never fails over).",
    ),
});
type Params = z.infer<typeof params>;

const holds = (p: Params, h: CheckState) => (p.action === "invert" ? h.inverted : h.disabled);
const show = (h: { inverted: boolean; disabled: boolean }) =>
  `${h.inverted ? "inverted" : "not inverted"}, ${h.disabled ? "disabled" : "enabled"}`;

/** What it acts on, read from AWS before a drill injects it (the drill checks whose these are). */
async function healthCheckTargets(
  aws: AwsClients,
  region: string,
  p: Record<string, unknown>,
): Promise<FaultTarget[]> {
  const ctx: StepContext = {
    aws,
    region,
    log: () => undefined,
    signal: AbortSignal.timeout(60_000),
    secrets: new Secrets(),
    idempotencyKey: "drill-scope",
  };
  const { id } = await readCheck(ctx, textOf(p.healthCheck));
  const out = await aws
    .get(Route53Client, "us-east-1")
    .send(new ListTagsForResourceCommand({ ResourceType: "healthcheck", ResourceId: id }));
  return [
    {
      name: `health check ${id}`,
      arn: `arn:${partitionOf(region)}:route53:::healthcheck/${id}`,
      tags: tagsOf(out.ResourceTagSet?.Tags),
    },
  ];
}

/** Inverts (or disables) a Route 53 health check: the failover record's own way of failing over. */
export const faultRoute53HealthCheckStep: StepKind<Params, CheckState> = {
  kind: "fault.route53-health-check",
  example: { healthCheck: "web.us-east-1.example.com", action: "invert" },
  description:
    "fault: inverts a Route 53 health check (the primary looks unhealthy, DNS fails over) or disables it (DNS never fails over)",
  permissions: [...route53HealthCheckStep.permissions, ...ops("Route53", "ListTagsForResource")],
  targets: healthCheckTargets,
  params,
  outputs: ["healthCheckId", "previousInverted", "previousDisabled", "injectedAt"],
  idempotent: true,
  reconciles: "done when the health check is inverted (or disabled); otherwise updates again",
  grants: (p, where) => [
    { actions: ["route53:UpdateHealthCheck"], resources: [healthCheckArn(where.partition, p.healthCheck)] },
  ],
  read: (ctx, p) => readCheck(ctx, p.healthCheck),
  plan: (_ctx, p, before) => ({
    current: `health check ${before.id}: ${show(before)}`,
    target: `health check ${before.id}: ${show({
      inverted: p.action === "invert" || before.inverted,
      disabled: p.action === "disable" || before.disabled,
    })}`,
    changes: !holds(p, before),
  }),
  async apply(ctx, p, now) {
    const at = injected();
    await updateCheck(
      ctx,
      { healthCheck: p.healthCheck, ...(p.action === "invert" ? { inverted: true } : { disabled: true }) },
      now,
    );
    return at;
  },
  settle: (_ctx, _p, before, applied) =>
    Promise.resolve({
      healthCheckId: before.id,
      previousInverted: String(before.inverted),
      previousDisabled: String(before.disabled),
      ...injectedAtOf(applied),
    }),
  async reconcile(ctx, p, before) {
    const now = await readCheck(ctx, p.healthCheck);
    return reconcileByTarget(
      holds(p, now),
      before ? now.version === before.version : undefined,
      `health check ${now.id} ${p.action === "invert" ? "inverted" : "disabled"}`,
    );
  },
  inverse: (_p, out) => restoreHealthCheck(out),
};
