import { z } from "zod";
import { pause, readsNothing, type StepKind } from "../step.js";
import { sh } from "../manual.js";
import { durationField, parseDuration } from "../../util/duration.js";

const params = z.strictObject({
  seconds: durationField({ max: 3600 }).describe(
    "How long to wait: a duration (500ms, 90s, 2m30s) or a number of seconds; at most 1h.",
  ),
});

export const sleepStep: StepKind<z.infer<typeof params>, undefined> = {
  kind: "sleep",
  example: { seconds: "30s" },
  description: "waits a number of seconds (for DNS caches, connection draining)",
  permissions: [],
  params,
  outputs: [],
  // sleep(1) takes seconds, not 500ms: a duration written in the runbook is given as its seconds.
  manual: (p) => [
    `sleep ${sh(typeof p.seconds === "string" || typeof p.seconds === "number" ? (parseDuration(p.seconds) ?? p.seconds) : p.seconds)}`,
  ],
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
