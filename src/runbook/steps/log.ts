import { z } from "zod";
import { readsNothing, type StepKind } from "../step.js";
import { comment } from "../manual.js";

const params = z.strictObject({ line: z.string().min(1) });

/** Writes a line to the run's log: a marker in the timeline, nothing changed. */
export const logStep: StepKind<z.infer<typeof params>, undefined> = {
  ...readsNothing,
  kind: "log",
  description: "writes a line to the run's log; changes nothing",
  permissions: [],
  params,
  outputs: [],
  inverse: () => [],
  manual: (p) => [comment("log: ", p.line).trim()],
  plan: (_ctx, p) => ({ current: "-", target: `logged: ${p.line}`, changes: false }),
  settle(ctx, p) {
    ctx.log(p.line);
    return Promise.resolve({});
  },
};
