import { z } from "zod";
import { pause, readsNothing, type StepKind } from "../step.js";
import { sh } from "../manual.js";

const params = z.strictObject({ seconds: z.number().min(0).max(3600) });

export const sleepStep: StepKind<z.infer<typeof params>, undefined> = {
  kind: "sleep",
  description: "waits a number of seconds (for DNS caches, connection draining)",
  permissions: [],
  params,
  outputs: [],
  manual: (p) => [`sleep ${sh(p.seconds)}`],
  ...readsNothing,
  inverse: () => [],
  plan: (_ctx, p) => ({ current: "-", target: `wait ${p.seconds} s`, changes: p.seconds > 0 }),
  async settle(ctx, p) {
    // A wait interrupted by the end of a turn goes on for what is left of it.
    const waited = Date.now() - (ctx.startedAt ?? Date.now());
    await pause(Math.max(0, p.seconds * 1000 - waited), ctx.signal);
    return {};
  },
};
