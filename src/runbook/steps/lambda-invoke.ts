import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { z } from "zod";
import type { StepKind } from "../step.js";

const params = z.strictObject({
  /** Name or ARN of the function. */
  function: z.string().min(1),
  payload: z.record(z.string(), z.unknown()).default({}),
  /** The custom step that undoes this one, for a generated failback. */
  undo: z
    .strictObject({ function: z.string().min(1), payload: z.record(z.string(), z.unknown()).default({}) })
    .optional(),
});
type Params = z.infer<typeof params>;

/**
 * A custom step: invokes a Lambda function synchronously. A function error fails the step; the
 * top-level fields of a JSON object it returns become outputs (as strings).
 */
export const lambdaInvokeStep: StepKind<Params> = {
  kind: "lambda.invoke",
  description: "invokes a Lambda function as a custom step; its JSON result's fields become outputs",
  permissions: ["lambda:InvokeFunction"],
  params,
  outputs: ["result", "(each top-level field of the result)"],
  plan: (_ctx, p) =>
    Promise.resolve({
      current: "-",
      target: `invoke ${p.function} with ${JSON.stringify(p.payload)}`,
      changes: true,
    }),
  async execute(ctx, p) {
    const out = await ctx.aws.get(LambdaClient, ctx.region).send(
      new InvokeCommand({
        FunctionName: p.function,
        InvocationType: "RequestResponse",
        Payload: new TextEncoder().encode(JSON.stringify(p.payload)),
      }),
      { abortSignal: ctx.signal },
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
  inverse: (p) =>
    p.undo
      ? [{ kind: "lambda.invoke", params: { function: p.undo.function, payload: p.undo.payload } }]
      : undefined,
};
