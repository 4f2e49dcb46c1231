import { z } from "zod";
import { pause, type StepKind } from "../step.js";

const params = z.strictObject({ seconds: z.number().min(0).max(3600) });

export const sleepStep: StepKind<z.infer<typeof params>> = {
  kind: "sleep",
  description: "waits a number of seconds (for DNS caches, connection draining)",
  permissions: [],
  params,
  outputs: [],
  inverse: () => [],
  plan: (_ctx, p) => Promise.resolve({ current: "-", target: `wait ${p.seconds} s`, changes: p.seconds > 0 }),
  async execute(ctx, p) {
    await pause(p.seconds * 1000, ctx.signal);
    return {};
  },
};
