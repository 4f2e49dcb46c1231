/** What a drill's phase is: one entry, used by a first run and by a resume alike. */
import type { AwsClients } from "../../aws/client-factory.js";
import type { DrillOutcome, DrillState, PhaseName } from "../state.js";

/**
 * finished: the phase did all it is for (journaled: a resume starts after it); unfinished: the
 * drill goes on, but a resume does this phase again; an outcome: the drill ends here.
 */
export type PhaseEnd = "finished" | "unfinished" | { outcome: DrillOutcome };

export interface Phase {
  name: PhaseName;
  /**
   * Does the phase's work for `state`: a first run's (`state.live`: the probes and canaries are
   * running) or a resume's (`state.resumed`: it brings to its end what a killed process left).
   */
  run(aws: AwsClients, state: DrillState): Promise<PhaseEnd>;
}
