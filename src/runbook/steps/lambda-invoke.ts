import { ops } from "../../aws/services.js";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { z } from "zod";
import type { StepKind } from "../step.js";
import { known } from "./grants.js";
import { aws, json, sh } from "../manual.js";

const params = z.strictObject({
  /** Name or ARN of the function. */
  function: z.string().min(1).describe("The function's name or ARN."),
  payload: z
    .record(z.string(), z.unknown())
    .default({})
    .describe("The event the function receives (a JSON object; values may use references)."),
  /** The custom step that undoes this one, for a generated failback. */
  undo: z
    .strictObject({ function: z.string().min(1), payload: z.record(z.string(), z.unknown()).default({}) })
    .optional()
    .describe("The function that undoes this one, for a generated failback: { function, payload }."),
});
type Params = z.infer<typeof params>;

/** The function's ARN (any version or alias) from a name or an ARN. */
const functionArns = (where: { partition: string; region: string; account: string }, ref: unknown) => {
  const f = known(ref);
  const arn = f?.startsWith("arn:")
    ? f
    : `arn:${where.partition}:lambda:${where.region}:${where.account}:function:${f ?? "*"}`;
  return [arn, `${arn}:*`];
};

/**
 * A custom step: invokes a Lambda function synchronously. A function error fails the step; the
 * top-level fields of a JSON object it returns become outputs (as strings). The function gets the
 * step's idempotency key as clientContext.custom["drctl-idempotency-key"], to drop a repeat.
 */
export const lambdaInvokeStep: StepKind<Params, undefined> = {
  kind: "lambda.invoke",
  example: { function: "warm-caches", payload: { region: "us-west-2" } },
  description: "invokes a Lambda function as a custom step; its JSON result's fields become outputs",
  permissions: ops("Lambda", "Invoke"),
  params,
  outputs: ["result", "(each top-level field of the result)"],
  openOutputs: true,
  // What a function returns is its own business: shown as (redacted) unless used by a later step.
  publicOutputs: [],
  idempotent: false,
  reconciles:
    "cannot tell whether the function ran: a person decides (invoke again, or count it as done); the function may deduplicate by the idempotency key",
  grants: (p, where) => [
    {
      actions: ["lambda:InvokeFunction"],
      resources: [
        ...functionArns(where, p.function),
        ...((p.undo as { function?: unknown } | undefined)
          ? functionArns(where, (p.undo as { function?: unknown }).function)
          : []),
      ],
    },
  ],
  manual: (p, region) => [
    // A file, read as bytes by AWS CLI v1 and v2 alike (a JSON argument is base64 to v2).
    `printf '%s' ${sh(json(p.payload ?? {}))} > payload.json`,
    aws("lambda", "invoke", region, { "function-name": p.function, payload: "fileb://payload.json" }) +
      " out.json && cat out.json",
  ],
  read: () => Promise.resolve(undefined),
  plan: (_ctx, p) => ({
    current: "-",
    target: `invoke ${p.function} with ${JSON.stringify(p.payload)}`,
    changes: true,
  }),
  async apply(ctx, p) {
    const clientContext = { custom: { "drctl-idempotency-key": ctx.idempotencyKey } };
    const out = await ctx.aws.get(LambdaClient, ctx.region).send(
      new InvokeCommand({
        FunctionName: p.function,
        InvocationType: "RequestResponse",
        ClientContext: Buffer.from(JSON.stringify(clientContext)).toString("base64"),
        Payload: new TextEncoder().encode(JSON.stringify(p.payload)),
      }),
    );
    const text = out.Payload ? new TextDecoder().decode(out.Payload) : "";
    if (out.FunctionError)
      throw new Error(`${p.function} failed (${out.FunctionError}): ${text.slice(0, 500)}`);
    let fields: Record<string, string> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
        fields = Object.fromEntries(
          Object.entries(parsed).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
        );
    } catch {
      // Not JSON: the text is the result.
    }
    return { ...fields, result: text };
  },
  settle: (_ctx, _p, _before, applied) => Promise.resolve(applied),
  reconcile: () =>
    Promise.resolve({ decision: "ask", detail: "the function may or may not have run; drctl cannot tell" }),
  inverse: (p) =>
    p.undo
      ? [{ kind: "lambda.invoke", params: { function: p.undo.function, payload: p.undo.payload } }]
      : undefined,
};
