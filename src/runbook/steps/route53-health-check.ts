import { ops } from "../../aws/services.js";
import {
  GetHealthCheckCommand,
  ListHealthChecksCommand,
  Route53Client,
  UpdateHealthCheckCommand,
  type HealthCheck,
} from "@aws-sdk/client-route-53";
import { z } from "zod";
import { NotFoundError, reconcileByTarget, type StepContext, type StepKind } from "../step.js";
import { known } from "./grants.js";
import { aws, healthCheckId } from "../manual.js";

const params = z
  .strictObject({
    /** The health check's id, or the domain name it checks. */
    healthCheck: z.string().min(1).describe("The health check's id, or the domain name it checks."),
    inverted: z
      .boolean()
      .optional()
      .describe(
        "Set the health check's Inverted flag (true: Route 53 reports the opposite of what it sees).",
      ),
    disabled: z
      .boolean()
      .optional()
      .describe("Set the health check's Disabled flag (true: Route 53 treats the endpoint as healthy)."),
  })
  .refine((p) => p.inverted !== undefined || p.disabled !== undefined, {
    message: "expected inverted or disabled (or both)",
  });
type Params = z.infer<typeof params>;

const HEALTH_CHECK_ID = /^[0-9a-f-]{36}$/;

async function find(ctx: StepContext, ref: string): Promise<HealthCheck> {
  const r53 = ctx.aws.get(Route53Client, "us-east-1");
  if (HEALTH_CHECK_ID.test(ref)) {
    const out = await r53.send(new GetHealthCheckCommand({ HealthCheckId: ref }));
    if (out.HealthCheck) return out.HealthCheck;
  }
  let marker: string | undefined;
  do {
    const page = await r53.send(new ListHealthChecksCommand({ Marker: marker }));
    const hit = page.HealthChecks?.find((h) => h.HealthCheckConfig?.FullyQualifiedDomainName === ref);
    if (hit) return hit;
    marker = page.IsTruncated ? page.NextMarker : undefined;
  } while (marker);
  throw new NotFoundError(`no Route 53 health check ${ref}`);
}

/** A health check's settings as a step changes them. */
export interface CheckState {
  id: string;
  inverted: boolean;
  disabled: boolean;
  /** Route 53's version of the health check: an update names it, so a concurrent change is not overwritten. */
  version: number;
}

export async function readCheck(ctx: StepContext, ref: string): Promise<CheckState> {
  const h = await find(ctx, ref);
  return {
    id: h.Id ?? "",
    inverted: h.HealthCheckConfig?.Inverted ?? false,
    disabled: h.HealthCheckConfig?.Disabled ?? false,
    version: h.HealthCheckVersion ?? 1,
  };
}

const state = (h: { inverted: boolean; disabled: boolean }) =>
  `${h.inverted ? "inverted" : "not inverted"}, ${h.disabled ? "disabled" : "enabled"}`;
const next = (p: Params, now: CheckState) => ({
  inverted: p.inverted ?? now.inverted,
  disabled: p.disabled ?? now.disabled,
});
const holds = (p: Params, now: CheckState) =>
  now.inverted === next(p, now).inverted && now.disabled === next(p, now).disabled;

export async function updateCheck(ctx: StepContext, p: Params, now: CheckState): Promise<void> {
  if (holds(p, now)) return;
  await ctx.aws.get(Route53Client, "us-east-1").send(
    new UpdateHealthCheckCommand({
      HealthCheckId: now.id,
      HealthCheckVersion: now.version,
      ...(p.inverted !== undefined ? { Inverted: p.inverted } : {}),
      ...(p.disabled !== undefined ? { Disabled: p.disabled } : {}),
    }),
  );
}

export const healthCheckArn = (partition: string, ref: unknown) => {
  const id = known(ref);
  return `arn:${partition}:route53:::healthcheck/${id && HEALTH_CHECK_ID.test(id) ? id : "*"}`;
};

/** The undo of a step that recorded a health check's previous settings (healthCheckId, previous*). */
export function restoreHealthCheck(out: Record<string, string>) {
  return out.healthCheckId === undefined
    ? undefined
    : [
        {
          kind: "route53.health-check",
          params: {
            healthCheck: out.healthCheckId,
            inverted: out.previousInverted === "true",
            disabled: out.previousDisabled === "true",
          },
        },
      ];
}

/**
 * Inverts or disables a health check. As a fence: inverting the PRIMARY record's health check
 * makes Route 53 treat the old primary as unhealthy, so DNS stays on the standby even if the old
 * primary comes back. Outputs the settings it found, which a failback restores.
 */
export const route53HealthCheckStep: StepKind<Params, CheckState> = {
  kind: "route53.health-check",
  example: { healthCheck: "web.us-east-1.example.com", inverted: true },
  description: "inverts or disables a Route 53 health check (a DNS fence for the old primary)",
  permissions: ops("Route53", "GetHealthCheck", "ListHealthChecks", "UpdateHealthCheck"),
  params,
  outputs: ["healthCheckId", "previousInverted", "previousDisabled"],
  idempotent: true,
  reconciles:
    "done when the health check is inverted or disabled as the step sets it; otherwise updates again",
  inverse: (_p, out) => restoreHealthCheck(out),
  grants: (p, where) => [
    { actions: ["route53:UpdateHealthCheck"], resources: [healthCheckArn(where.partition, p.healthCheck)] },
  ],
  manual: (p, region) => [
    aws("route53", "update-health-check", region, {
      "health-check-id": healthCheckId(p.healthCheck, region),
      ...(p.inverted === undefined ? {} : { [p.inverted ? "inverted" : "no-inverted"]: true }),
      ...(p.disabled === undefined ? {} : { [p.disabled ? "disabled" : "no-disabled"]: true }),
    }),
  ],
  manualOutputs: (p, region) => {
    const config = (field: string) => ({
      command: aws("route53", "get-health-check", region, {
        "health-check-id": healthCheckId(p.healthCheck, region),
        query: `HealthCheck.HealthCheckConfig.${field}`,
        output: "text",
      }),
      before: true,
    });
    return {
      healthCheckId: {
        command: aws("route53", "get-health-check", region, {
          "health-check-id": healthCheckId(p.healthCheck, region),
          query: "HealthCheck.Id",
          output: "text",
        }),
      },
      previousInverted: config("Inverted"),
      previousDisabled: config("Disabled"),
    };
  },
  read: (ctx, p) => readCheck(ctx, p.healthCheck),
  plan: (_ctx, p, before) => ({
    current: `health check ${before.id}: ${state(before)}`,
    target: `health check ${before.id}: ${state(next(p, before))}`,
    changes: !holds(p, before),
  }),
  async apply(ctx, p, now) {
    await updateCheck(ctx, p, now);
    return {};
  },
  settle: (_ctx, _p, before) =>
    Promise.resolve({
      healthCheckId: before.id,
      previousInverted: String(before.inverted),
      previousDisabled: String(before.disabled),
    }),
  async reconcile(ctx, p, before) {
    const now = await readCheck(ctx, p.healthCheck);
    return reconcileByTarget(
      holds(p, now),
      before ? now.version === before.version : undefined,
      `health check ${now.id}: ${state(next(p, now))}`,
    );
  },
};
