import {
  GetHealthCheckCommand,
  ListHealthChecksCommand,
  Route53Client,
  UpdateHealthCheckCommand,
  type HealthCheck,
} from "@aws-sdk/client-route-53";
import { z } from "zod";
import type { StepContext, StepKind } from "../step.js";

const params = z
  .strictObject({
    /** The health check's id, or the domain name it checks. */
    healthCheck: z.string().min(1),
    inverted: z.boolean().optional(),
    disabled: z.boolean().optional(),
  })
  .refine((p) => p.inverted !== undefined || p.disabled !== undefined, {
    message: "expected inverted or disabled (or both)",
  });
type Params = z.infer<typeof params>;

async function find(ctx: StepContext, ref: string): Promise<HealthCheck> {
  const r53 = ctx.aws.get(Route53Client, "us-east-1");
  if (/^[0-9a-f-]{36}$/.test(ref)) {
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
  throw new Error(`no Route 53 health check ${ref}`);
}

const state = (h: { inverted: boolean; disabled: boolean }) =>
  `${h.inverted ? "inverted" : "not inverted"}, ${h.disabled ? "disabled" : "enabled"}`;

/**
 * Inverts or disables a health check. As a fence: inverting the PRIMARY record's health check
 * makes Route 53 treat the old primary as unhealthy, so DNS stays on the standby even if the old
 * primary comes back. Outputs the previous settings, which a failback restores.
 */
export const route53HealthCheckStep: StepKind<Params> = {
  kind: "route53.health-check",
  description: "inverts or disables a Route 53 health check (a DNS fence for the old primary)",
  permissions: ["route53:GetHealthCheck", "route53:ListHealthChecks", "route53:UpdateHealthCheck"],
  params,
  outputs: ["healthCheckId", "previousInverted", "previousDisabled"],
  inverse: (_p, out) => [
    {
      kind: "route53.health-check",
      params: {
        healthCheck: out.healthCheckId,
        inverted: out.previousInverted === "true",
        disabled: out.previousDisabled === "true",
      },
    },
  ],
  async plan(ctx, p) {
    const h = await find(ctx, p.healthCheck);
    const now = {
      inverted: h.HealthCheckConfig?.Inverted ?? false,
      disabled: h.HealthCheckConfig?.Disabled ?? false,
    };
    const next = { inverted: p.inverted ?? now.inverted, disabled: p.disabled ?? now.disabled };
    return {
      current: `health check ${h.Id ?? "?"}: ${state(now)}`,
      target: `health check ${h.Id ?? "?"}: ${state(next)}`,
      changes: now.inverted !== next.inverted || now.disabled !== next.disabled,
    };
  },
  async execute(ctx, p) {
    const h = await find(ctx, p.healthCheck);
    const before = {
      inverted: h.HealthCheckConfig?.Inverted ?? false,
      disabled: h.HealthCheckConfig?.Disabled ?? false,
    };
    await ctx.aws.get(Route53Client, "us-east-1").send(
      new UpdateHealthCheckCommand({
        HealthCheckId: h.Id,
        ...(p.inverted !== undefined ? { Inverted: p.inverted } : {}),
        ...(p.disabled !== undefined ? { Disabled: p.disabled } : {}),
      }),
    );
    return {
      healthCheckId: h.Id ?? "",
      previousInverted: String(before.inverted),
      previousDisabled: String(before.disabled),
    };
  },
};
