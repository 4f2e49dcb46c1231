import { z } from "zod";
import { waitFor, type StepKind } from "../step.js";
import { comment } from "../manual.js";

const params = z.strictObject({
  message: z
    .string()
    .min(1)
    .describe("What the person approves: shown in the plan, the run and `drctl runbook approve`."),
});

/** Waits for a person: `drctl runbook approve RUN STEP`, or the step's timeout (then the run stops, resumable). */
export const approvalStep: StepKind<z.infer<typeof params>, undefined> = {
  kind: "approval",
  example: { message: "the standby serves: switch DNS to it?" },
  description: "waits until an operator approves with drctl runbook approve RUN STEP, or the step times out",
  permissions: [],
  params,
  outputs: ["approvedBy", "approvedAt"],
  idempotent: true,
  gate: true,
  reconciles: "changes nothing: waits for (or finds) the approval again",
  // A gate on the way out is a gate on the way back.
  inverse: (p) => [{ kind: "approval", params: { message: `failback: ${p.message}` } }],
  manual: (p) => [comment("approval: get the go-ahead of the person who approves: ", p.message).trim()],
  read: () => Promise.resolve(undefined),
  plan: (_ctx, p) => ({
    current: "not approved",
    target: `approved by an operator: ${p.message}`,
    changes: true,
  }),
  apply: () => Promise.resolve({}),
  async settle(ctx, p) {
    if (!ctx.approval) throw new Error("approval steps need a journaled run");
    ctx.log(
      `waiting for approval: ${p.message}; approve with: ${ctx.approveHint ?? "drctl runbook approve"}`,
    );
    const approval = ctx.approval;
    try {
      const given = await waitFor(approval, ctx.signal, 500);
      return { approvedBy: given.by, approvedAt: given.at };
    } catch (err) {
      if (ctx.signal.aborted)
        throw new Error(
          `not approved before the step's timeout; approve with ${ctx.approveHint ?? "drctl runbook approve"} and resume the run`,
          { cause: err },
        );
      throw err;
    }
  },
  reconcile: () =>
    Promise.resolve({ decision: "redo", detail: "changes nothing; waits for the approval again" }),
};
