import {
  DeleteParametersCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { z } from "zod";
import type { StepContext, StepKind } from "../step.js";

const params = z.strictObject({
  /** Name -> value; values may use ${steps.ID.outputs.KEY}, ${config.KEY} or ${ssm:/path}. */
  parameters: z.record(z.string().startsWith("/"), z.string()).default({}),
  type: z.enum(["String", "SecureString"]).default("String"),
  /** Parameters to delete (a failback removes what the failover created). */
  remove: z.array(z.string().startsWith("/")).default([]),
});
type Params = z.infer<typeof params>;

/** SecureString values are never printed: plans show them as (secret). */
const shown = (type: string, value: string | undefined) =>
  value === undefined ? "(none)" : type === "SecureString" ? "(secret)" : value;

async function read(ctx: StepContext, names: string[]): Promise<Map<string, string | undefined>> {
  const found = new Map<string, string | undefined>();
  // GetParameters takes at most 10 names a call.
  for (let i = 0; i < names.length; i += 10) {
    const out = await ctx.aws
      .get(SSMClient, ctx.region)
      .send(new GetParametersCommand({ Names: names.slice(i, i + 10), WithDecryption: true }));
    for (const x of out.Parameters ?? []) found.set(x.Name ?? "", x.Value);
  }
  return found;
}

export const ssmPutParametersStep: StepKind<Params> = {
  kind: "ssm.put-parameters",
  description:
    "writes (or removes) SSM parameters: the promoted database's endpoint, the active region; outputs the previous values",
  permissions: ["ssm:GetParameters", "ssm:PutParameter", "ssm:DeleteParameters"],
  params,
  outputs: ["written", "removed", "previous"],
  async plan(ctx, p) {
    const names = [...Object.keys(p.parameters), ...p.remove];
    const current = await read(ctx, names);
    const target = (n: string) => (p.remove.includes(n) ? undefined : p.parameters[n]);
    return {
      current: names.map((n) => `${n}=${shown(p.type, current.get(n))}`).join(", "),
      target: names.map((n) => `${n}=${shown(p.type, target(n))}`).join(", "),
      changes: names.some((n) => current.get(n) !== target(n)),
    };
  },
  async execute(ctx, p) {
    const ssm = ctx.aws.get(SSMClient, ctx.region);
    const names = Object.keys(p.parameters);
    // Previous values make the failback; a SecureString's is not kept (the journal holds no secrets).
    const touched = [...names, ...p.remove];
    const before = p.type === "String" ? await read(ctx, touched) : new Map<string, string>();
    for (const [Name, Value] of Object.entries(p.parameters)) {
      await ssm.send(new PutParameterCommand({ Name, Value, Type: p.type, Overwrite: true }));
    }
    for (let i = 0; i < p.remove.length; i += 10)
      await ssm.send(new DeleteParametersCommand({ Names: p.remove.slice(i, i + 10) }));
    return {
      written: String(names.length),
      removed: String(p.remove.length),
      previous:
        p.type === "String"
          ? JSON.stringify(Object.fromEntries(touched.map((n) => [n, before.get(n) ?? null])))
          : "",
    };
  },
  inverse(p, out) {
    if (p.type === "SecureString" || !out.previous) return undefined;
    const previous = JSON.parse(out.previous) as Record<string, string | null>;
    const restore = Object.fromEntries(
      Object.entries(previous).filter((e): e is [string, string] => e[1] !== null),
    );
    const remove = Object.entries(previous)
      .filter(([, v]) => v === null)
      .map(([n]) => n);
    return [{ kind: "ssm.put-parameters", params: { parameters: restore, remove } }];
  },
  redact: (p) =>
    p.type === "SecureString"
      ? { ...p, parameters: Object.fromEntries(Object.keys(p.parameters).map((n) => [n, "(secret)"])) }
      : p,
};
