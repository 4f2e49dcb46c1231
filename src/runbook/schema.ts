import { z } from "zod";
import { regionCode } from "../aws/regions.js";
import { durationField } from "../util/duration.js";

/** A value: a literal, or a reference resolved at run time (${steps.ID.outputs.KEY}, ${config.KEY}, ${ssm:/path}). */
const value = z.union([z.string(), z.number(), z.boolean()]);

export const stepSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
    message: "expected a step id of lower-case letters, digits and dashes",
  }),
  kind: z.string().min(1),
  /** Region the step acts in; default: the runbook's. */
  region: regionCode.optional(),
  params: z
    .record(
      z.string(),
      z.union([
        value,
        z.array(value),
        z.record(z.string(), z.unknown()),
        z.array(z.record(z.string(), z.unknown())),
      ]),
    )
    .default({}),
  after: z.array(z.string()).default([]),
  /** How long the step may take: a duration (90s, 15m, 1h30m) or a number of seconds. */
  timeoutSeconds: durationField({ positive: true, max: 24 * 3600 }).default(900),
  retries: z.number().int().min(0).max(10).default(0),
  /**
   * What a failure does to the rest of the run: stop it, let the independent steps go on, or stop
   * and undo what the run changed (the generated failback of the run so far).
   */
  onFailure: z.enum(["stop", "continue", "rollback"]).default("stop"),
});

export const runbookSchema = z.strictObject({
  version: z.literal(1),
  name: z.string().min(1),
  description: z.string().optional(),
  /** The application the lock is taken for: two runs for one application never overlap. */
  application: z.string().min(1),
  region: regionCode,
  /** Recovery-time objective in minutes; `runbook status` compares the run's duration with it. */
  rtoMinutes: z.number().positive().optional(),
  /** Values steps use as ${config.KEY}; `--set KEY=VALUE` overrides them for one run. */
  config: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), value).default({}),
  steps: z.array(stepSchema).min(1),
});

export type StepSpec = z.infer<typeof stepSchema>;
export type Runbook = z.infer<typeof runbookSchema>;
