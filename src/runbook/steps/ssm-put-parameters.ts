import { GetParametersCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { z } from "zod";
import type { StepKind } from "../step.js";

const params = z.strictObject({
  /** Name -> value; values may use ${steps.ID.outputs.KEY}. */
  parameters: z.record(z.string().startsWith("/"), z.string()),
  type: z.enum(["String", "SecureString"]).default("String"),
});

/** SecureString values are never printed: plans show them as (secret). */
const shown = (type: string, value: string | undefined) =>
  value === undefined ? "(none)" : type === "SecureString" ? "(secret)" : value;

export const ssmPutParametersStep: StepKind<z.infer<typeof params>> = {
  kind: "ssm.put-parameters",
  description: "writes SSM parameters (the promoted database's endpoint, the active region, ...)",
  permissions: ["ssm:GetParameters", "ssm:PutParameter"],
  params,
  async plan(ctx, p) {
    const names = Object.keys(p.parameters);
    const out = await ctx.aws
      .get(SSMClient, ctx.region)
      .send(new GetParametersCommand({ Names: names, WithDecryption: true }));
    const current = new Map((out.Parameters ?? []).map((x) => [x.Name ?? "", x.Value]));
    const changed = names.filter((n) => current.get(n) !== p.parameters[n]);
    return {
      current: names.map((n) => `${n}=${shown(p.type, current.get(n))}`).join(", "),
      target: names.map((n) => `${n}=${shown(p.type, p.parameters[n])}`).join(", "),
      changes: changed.length > 0,
    };
  },
  async execute(ctx, p) {
    const ssm = ctx.aws.get(SSMClient, ctx.region);
    for (const [Name, Value] of Object.entries(p.parameters)) {
      await ssm.send(new PutParameterCommand({ Name, Value, Type: p.type, Overwrite: true }));
    }
    return { written: String(Object.keys(p.parameters).length) };
  },
};
