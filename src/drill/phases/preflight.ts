/**
 * The preflight: the fault must be possible and act on the drilled application's own resources,
 * the standby must be ready and each canary readable there. Then the lock and the drill's run,
 * journaled before anything is written (its id is the drill's, its only step the fault).
 */
import type { AwsClients } from "../../aws/client-factory.js";
import type { Finding } from "../../core/finding.js";
import { DrctlError, InputError } from "../../errors.js";
import { defaultLeaseMs, planProblems, planRunbook } from "../../runbook/engine.js";
import { acquireLock } from "../../runbook/journal.js";
import { endedUnmeasured } from "../record.js";
import { canaryNoCopyRule, drillFindings, preflightRule, scopeRule } from "../rules.js";
import { readScope } from "../scope.js";
import { FAULT_STEP, iso, Lease, type DrillState } from "../state.js";
import type { Phase, PhaseEnd } from "./phase.js";

/** A drill refused before it started: nothing was changed, nothing measured. */
function refuse(state: DrillState, why: string, findings: Finding[]): PhaseEnd {
  state.findings.push(...findings);
  state.reverted = true;
  return { outcome: endedUnmeasured(state, "refused", why, []) };
}

/**
 * The fault's plan, read before anything starts: one that would fail or be refused is bad input
 * (a health check that does not exist); one that could not be read (AWS unreachable, access
 * denied) could not finish, as for every other command.
 */
async function checkFaultPlan(aws: AwsClients, state: DrillState): Promise<void> {
  const faultPlan = (await planRunbook(aws, state.faultLoaded))[0];
  const problem = faultPlan ? planProblems([faultPlan])[0] : undefined;
  if (!problem) return;
  const what = `${state.d.file}: fault (${state.drill.fault.kind})`;
  if (problem.kind === "unreadable")
    throw new DrctlError(`${what}: cannot read the current state: ${problem.problem}; nothing was changed`);
  throw new InputError(
    `${what} ${problem.kind === "refused" ? "would be refused" : "would fail"}: ${problem.problem}; nothing was changed`,
  );
}

/** The readiness scan and freshness, and each canary's copy in the standby: a refusal, or none. */
async function readiness(state: DrillState): Promise<PhaseEnd | undefined> {
  const { drill, options } = state;
  state.say(`preflight: readiness scan and freshness of ${drill.application}`);
  const pre = await options.preflight();
  state.findings.push(...pre.findings);
  Object.assign(state.runs, pre.runs);
  await state.mark(
    "preflight",
    Date.now(),
    pre.problems.length
      ? `not ready: ${pre.problems.join("; ")}`
      : `the standby is ready${pre.covered ? ` (${pre.covered})` : ""}`,
    undefined,
    false,
  );
  const stores = await options.canaries(state.id);
  state.stores = stores;
  const canaries = [];
  for (const s of stores) canaries.push({ canary: s.name, ...s.arns, problem: await s.standbyCopy() });
  const noCopy = drillFindings(canaryNoCopyRule, { standbyRegion: drill.regions.standby, canaries });
  if (noCopy.length > 0) {
    const all = canaries.filter((c) => c.problem).map((c) => `canary ${c.canary}: ${c.problem ?? ""}`);
    const which = all.length === 1 ? "a canary" : `${all.length} canaries`;
    return refuse(state, `${which} cannot be read in ${drill.regions.standby}: ${all.join("; ")}`, noCopy);
  }
  if (pre.problems.length > 0 && !options.force)
    return refuse(
      state,
      `the preflight refused: ${pre.problems.join("; ")}`,
      drillFindings(preflightRule, { application: drill.application, problems: pre.problems }),
    );
  return undefined;
}

/** The lock and the drill's run, before anything is written; the lease kept from here to the end. */
async function startRun(state: DrillState): Promise<void> {
  const { drill, journal, id, owner, options, d } = state;
  const leaseMs = options.leaseMs ?? defaultLeaseMs();
  await acquireLock(journal, { application: drill.application, runId: id, owner, leaseMs });
  state.lease = new Lease(journal, drill.application, owner.token, leaseMs);
  state.lease.start();
  await journal.startRun(
    {
      runId: id,
      runbook: state.faultLoaded.runbook.name,
      file: d.file,
      application: drill.application,
      hash: d.hash,
      startedAt: iso(state.startedAt),
      set: {},
      alarmAt: null,
      undoes: null,
    },
    [{ id: FAULT_STEP, kind: drill.fault.kind }],
  );
  state.say(
    `drill ${id} started (${journal.description}); if this terminal goes away: drctl drill resume ${id} --execute`,
  );
  if (options.force) {
    await state.event({ t: "forced", ...options.force });
    await journal.addEvent(id, `preflight overridden by ${options.force.by}: ${options.force.why}`);
  }
  if (drill.fault.scope !== "primary")
    await journal.addEvent(
      id,
      `fault scope ${drill.fault.scope} (the drill file ${d.file}): ${drill.fault.reason ?? ""}`,
    );
}

export const preflightPhase: Phase = {
  name: "preflight",
  async run(aws, state) {
    // A resume's drill passed it: its run exists.
    if (state.resumed) return "finished";
    await checkFaultPlan(aws, state);
    const scope = await readScope(aws, state.d, state.options.applications, (app) =>
      state.journal.lockOf(app),
    );
    if (scope.problems.length > 0)
      return refuse(
        state,
        `the fault's target is not the drill's to touch: ${scope.problems.join("; ")}`,
        drillFindings(scopeRule, scope),
      );
    if (state.drill.fault.scope !== "primary")
      state.say(`fault scope ${state.drill.fault.scope}: ${state.drill.fault.reason ?? ""}`);
    const refused = await readiness(state);
    if (refused) return refused;
    await startRun(state);
    return "finished";
  },
};
