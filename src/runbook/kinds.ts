import { InputError } from "../errors.js";
import type { StepKind } from "./step.js";

/**
 * The step kinds a runbook may use, as the catalogue lists them (src/catalog.ts): the engine,
 * the loader, the failback generator and the plan receive them, never import a kind themselves.
 * They ask the kinds what they need (what is a gate, what checks health) rather than naming one.
 */
export class StepKinds {
  private readonly byName: ReadonlyMap<string, StepKind<unknown>>;

  constructor(kinds: readonly StepKind<never>[]) {
    this.byName = new Map(kinds.map((k) => [k.kind, k as unknown as StepKind<unknown>]));
  }

  get(name: string): StepKind<unknown> | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Every kind's name, in catalogue order. */
  keys(): IterableIterator<string> {
    return this.byName.keys();
  }

  /** Every kind, in catalogue order. */
  values(): IterableIterator<StepKind<unknown>> {
    return this.byName.values();
  }

  /** Every kind's name, sorted: what an error message lists as known. */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  /** The fault kinds a drill may name: those whose name starts with "fault.", sorted. */
  faults(): string[] {
    return this.names().filter((k) => k.startsWith("fault."));
  }

  /** The kind of a step, or an InputError naming the file, the step and the kinds there are. */
  of(step: { id: string; kind: string }, file: string): StepKind<unknown> {
    const kind = this.byName.get(step.kind);
    if (!kind)
      throw new InputError(
        `${file}: step "${step.id}": unknown kind "${step.kind}" (known: ${this.names().join(", ")})`,
      );
    return kind;
  }

  /** The kind that plays `role` in a database's replication (see StepKind.replication), if one does. */
  replicating(role: "promotes" | "replicates"): string | undefined {
    return [...this.byName.values()].find((k) => k.replication === role)?.kind;
  }

  /** The kind that waits for a person's go-ahead: the one a run's start gate and a failback's by-hand undo use. */
  get gate(): string {
    const gate = [...this.byName.values()].find((k) => k.gate);
    if (!gate) throw new Error("no step kind is a gate (gate: true): the catalogue lists none");
    return gate.kind;
  }
}
