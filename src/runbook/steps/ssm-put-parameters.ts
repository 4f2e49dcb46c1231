import { ops } from "../../aws/services.js";
import {
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
  type ParameterType,
} from "@aws-sdk/client-ssm";
import { z } from "zod";
import { reconcileByTarget, type StepContext, type StepKind } from "../step.js";
import { known } from "./grants.js";
import { aws, Shell, sh } from "../manual.js";

const type = z.enum(["String", "StringList", "SecureString"]);
const value = z.union([
  z.string(),
  z.strictObject({
    value: z.string(),
    type: type.optional(),
    /** The KMS key of a SecureString (default: the parameter's own, or SSM's default key). */
    keyId: z.string().min(1).optional(),
  }),
]);

const params = z.strictObject({
  /** Name -> value; values may use ${steps.ID.outputs.KEY}, ${config.KEY} or ${ssm:/path}. */
  parameters: z
    .record(z.string().startsWith("/"), value)
    .default({})
    .describe(
      "The SSM parameters to write: name (starting with /) -> value, or -> { value, type, keyId }; values may use ${steps.ID.outputs.KEY}, ${config.KEY} or ${ssm:/path}.",
    ),
  /**
   * The type to write. Default: an existing parameter keeps the type it has in SSM (read from
   * AWS, never assumed); a new one is a String.
   */
  type: type
    .optional()
    .describe(
      "The type to write (String, StringList, SecureString). Default: an existing parameter keeps the type it has in SSM; a new one is a String.",
    ),
  keyId: z
    .string()
    .min(1)
    .optional()
    .describe("The KMS key of SecureString values (default: a parameter's own, or SSM's default key)."),
  /** Parameters to delete (a failback removes what the failover created). */
  remove: z
    .array(z.string().startsWith("/"))
    .default([])
    .describe("Names of parameters to delete if present (a failback removes what the failover created)."),
});
type Params = z.infer<typeof params>;

/** A parameter as found: its type, version and key; the value only of a String (never of a SecureString). */
interface Found {
  type: ParameterType;
  version: number;
  keyId?: string;
  value?: string;
  /** Whether it already holds the value the step writes (and the type). */
  same?: boolean;
}
type Before = Record<string, Found | null>;

interface Write {
  name: string;
  value: string;
  type: ParameterType;
  keyId?: string;
}

function writes(p: Params, before: Before): Write[] {
  return Object.entries(p.parameters).map(([name, v]) => {
    const entry = typeof v === "string" ? { value: v } : v;
    const found = before[name];
    const t = entry.type ?? p.type ?? found?.type ?? "String";
    const keyId = entry.keyId ?? p.keyId ?? (t === "SecureString" ? found?.keyId : undefined);
    return { name, value: entry.value, type: t, ...(keyId ? { keyId } : {}) };
  });
}

async function read(ctx: StepContext, p: Params): Promise<Before> {
  const ssm = ctx.aws.get(SSMClient, ctx.region);
  const names = [...new Set([...Object.keys(p.parameters), ...p.remove])];
  const found: Before = Object.fromEntries(names.map((n) => [n, null]));
  const keys = new Map<string, string>();
  // Types and keys as SSM has them (DescribeParameters takes 50 names a filter).
  for (let i = 0; i < names.length; i += 50) {
    let NextToken: string | undefined;
    do {
      const page = await ssm.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: "Name", Option: "Equals", Values: names.slice(i, i + 50) }],
          NextToken,
        }),
      );
      for (const d of page.Parameters ?? []) if (d.Name && d.KeyId) keys.set(d.Name, d.KeyId);
      NextToken = page.NextToken;
    } while (NextToken);
  }
  const targets = new Map(writes(p, {}).map((w) => [w.name, w.value]));
  // GetParameters takes at most 10 names a call.
  for (let i = 0; i < names.length; i += 10) {
    const out = await ssm.send(
      new GetParametersCommand({ Names: names.slice(i, i + 10), WithDecryption: true }),
    );
    for (const x of out.Parameters ?? []) {
      const name = x.Name ?? "";
      const secure = x.Type === "SecureString";
      // A SecureString's value is compared here and forgotten: only whether it is the same is kept.
      if (secure) ctx.secrets.add(x.Value, `the SSM parameter ${name}`);
      const target = targets.get(name);
      const keyId = keys.get(name);
      found[name] = {
        type: x.Type ?? "String",
        version: x.Version ?? 0,
        ...(keyId ? { keyId } : {}),
        ...(secure ? {} : { value: x.Value ?? "" }),
        ...(target !== undefined ? { same: target === x.Value } : {}),
      };
    }
  }
  // What is written as (or into) a SecureString is secret from here on, whatever its source.
  for (const w of writes(p, found))
    if (w.type === "SecureString") ctx.secrets.add(w.value, `the value to write to ${w.name}`);
  return found;
}

const show = (name: string, f: { type: string; value?: string | undefined } | null | undefined) =>
  !f ? `${name}=(none)` : f.type === "SecureString" ? `${name}=(secret)` : `${name}=${f.value ?? ""}`;

function refusal(ctx: StepContext, p: Params, before: Before): string | undefined {
  for (const w of writes(p, before)) {
    if (before[w.name]?.type === "SecureString" && w.type !== "SecureString")
      return `${w.name} is a SecureString in SSM; writing it as ${w.type} would expose its value (leave type out to keep its type)`;
    if (w.type !== "SecureString" && ctx.secrets.touches(w.value))
      return `the value for ${w.name} comes from a SecureString; write it as type SecureString`;
  }
  return undefined;
}

const holds = (p: Params, now: Before) =>
  writes(p, now).every((w) => now[w.name]?.same === true && now[w.name]?.type === w.type) &&
  p.remove.every((n) => !now[n]);

/** The ARN of an SSM parameter named `name` (a path starting with /). */
const parameterArn = (where: { partition: string; region: string; account: string }, name: string) =>
  `arn:${where.partition}:ssm:${where.region}:${where.account}:parameter${name.startsWith("/") ? "" : "/"}${name}`;

export const ssmPutParametersStep: StepKind<Params, Before> = {
  kind: "ssm.put-parameters",
  example: {
    parameters: { "/app/db/endpoint": "orders.standby.example.internal", "/app/active-region": "us-west-2" },
  },
  description:
    "writes (or removes) SSM parameters, keeping each one's type and KMS key as SSM has them: the promoted database's endpoint, the active region; outputs what was there before (a SecureString by its version, never its value)",
  permissions: [
    ...ops("SSM", "DescribeParameters", "GetParameters", "PutParameter", "DeleteParameters"),
    ...ops("KMS", "Decrypt", "Encrypt"),
  ],
  params,
  outputs: ["written", "removed", "previous"],
  idempotent: true,
  reconciles:
    "done when every parameter holds its value and type and the removed ones are gone; otherwise writes again",
  grants(p, where) {
    const names = [
      ...Object.keys((p.parameters as Record<string, unknown> | undefined) ?? {}),
      ...((p.remove as unknown[] | undefined) ?? []).map(String),
    ];
    const arns = names.map((n) => parameterArn(where, known(n) ?? "/*"));
    return [
      { actions: ["ssm:PutParameter", "ssm:DeleteParameters", "ssm:GetParameters"], resources: arns },
      {
        // Only through SSM, for its SecureStrings (customer keys' policies must allow the role too).
        actions: ["kms:Decrypt", "kms:Encrypt"],
        resources: ["*"],
        conditions: { StringEquals: { "kms:ViaService": `ssm.${where.region}.amazonaws.com` } },
      },
    ];
  },
  // A value the failover took from a promotion's endpoint is taken from the promotion back's.
  retake(undo, original, take) {
    const raw = (original.parameters ?? {}) as Record<string, unknown>;
    const values = undo.parameters as Record<string, string | { value: string }>;
    for (const name of Object.keys(raw)) {
      const derived = take(raw[name]);
      if (derived === undefined) continue;
      const was = values[name];
      values[name] = was && typeof was === "object" ? { ...was, value: derived } : derived;
      undo.remove = ((undo.remove as string[] | undefined) ?? []).filter((n) => n !== name);
    }
  },
  ssmParametersWritten: (p) =>
    Object.keys(p.parameters && typeof p.parameters === "object" ? p.parameters : {}),
  manual: (p, region) => [
    ...Object.entries((p.parameters as Record<string, unknown> | undefined) ?? {}).map(([name, v]) => {
      const entry = (v && typeof v === "object" && !(v instanceof Shell) ? v : { value: v }) as {
        value?: unknown;
        type?: unknown;
        keyId?: unknown;
      };
      const flags = { name, type: entry.type ?? p.type, "key-id": entry.keyId ?? p.keyId, overwrite: true };
      // A value known only when the line runs (an SSM parameter's, perhaps a secret), or one the
      // CLI would read as a file or URL, goes through stdin: never into argv, never fetched.
      if (entry.value instanceof Shell || /^(file|fileb|https?):\/\//i.test(String(entry.value)))
        return `printf '%s' ${sh(entry.value)} | ${aws("ssm", "put-parameter", region, { ...flags, value: "file:///dev/stdin" })}`;
      return aws("ssm", "put-parameter", region, { ...flags, value: entry.value });
    }),
    ...((p.remove as unknown[] | undefined) ?? []).map((name) =>
      aws("ssm", "delete-parameter", region, { name }),
    ),
  ],
  read,
  plan(ctx, p, before) {
    const targets = new Map(writes(p, before).map((w) => [w.name, w]));
    const names = Object.keys(before);
    const refused = refusal(ctx, p, before);
    return {
      current: names.map((n) => show(n, before[n])).join(", "),
      target: names
        .map((n) => (p.remove.includes(n) ? show(n, null) : show(n, targets.get(n) ?? null)))
        .join(", "),
      changes: !holds(p, before),
      ...(refused ? { refused } : {}),
    };
  },
  async apply(ctx, p, now) {
    const ssm = ctx.aws.get(SSMClient, ctx.region);
    const refused = refusal(ctx, p, now);
    if (refused) throw new Error(`refusing to write: ${refused}`);
    for (const w of writes(p, now)) {
      if (now[w.name]?.same && now[w.name]?.type === w.type) continue;
      await ssm.send(
        new PutParameterCommand({
          Name: w.name,
          Value: w.value,
          Type: w.type,
          ...(w.type === "SecureString" && w.keyId ? { KeyId: w.keyId } : {}),
          Overwrite: true,
        }),
      );
    }
    const gone = p.remove.filter((n) => now[n]);
    for (let i = 0; i < gone.length; i += 10)
      await ssm.send(new DeleteParametersCommand({ Names: gone.slice(i, i + 10) }));
    return {};
  },
  settle(_ctx, p, before) {
    const previous = Object.fromEntries(
      Object.entries(before).map(([n, f]) => [
        n,
        f
          ? {
              type: f.type,
              version: f.version,
              ...(f.keyId ? { keyId: f.keyId } : {}),
              ...(f.value !== undefined ? { value: f.value } : {}),
            }
          : null,
      ]),
    );
    return Promise.resolve({
      written: String(Object.keys(p.parameters).length),
      removed: String(p.remove.length),
      previous: JSON.stringify(previous),
    });
  },
  async reconcile(ctx, p, before) {
    const now = await read(ctx, p);
    const unchanged = before
      ? Object.keys(now).every((n) => (now[n]?.version ?? 0) === (before[n]?.version ?? 0))
      : undefined;
    return reconcileByTarget(holds(p, now), unchanged, `parameters ${Object.keys(now).join(", ")}`);
  },
  inverse(_p, out) {
    if (!out.previous) return undefined;
    const previous = JSON.parse(out.previous) as Record<
      string,
      string | null | { type: ParameterType; version: number; keyId?: string; value?: string }
    >;
    const restore: Record<string, unknown> = {};
    const remove: string[] = [];
    for (const [name, was] of Object.entries(previous)) {
      if (was === null) remove.push(name);
      // Journals of older drctl versions kept the value alone (and only of Strings).
      else if (typeof was === "string") restore[name] = was;
      else if (was.type === "SecureString")
        // Its value is never kept: the failback reads it back from the parameter's own history.
        restore[name] = {
          value: `\${ssm:${name}:${was.version}}`,
          type: "SecureString",
          ...(was.keyId ? { keyId: was.keyId } : {}),
        };
      else
        restore[name] =
          was.type === "String" ? (was.value ?? "") : { value: was.value ?? "", type: was.type };
    }
    return [{ kind: "ssm.put-parameters", params: { parameters: restore, remove } }];
  },
};
