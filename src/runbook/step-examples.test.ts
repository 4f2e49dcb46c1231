import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STEP_KINDS } from "../catalog.js";
import { loadRunbook } from "./load.js";
import { exampleStep, stepsMarkdown } from "./step-catalog.js";
import { paramDocs } from "./step-params-doc.js";

const HEAD = "version: 1\nname: example\napplication: shop\nregion: us-west-2\nsteps:\n";
const dir = mkdtempSync(join(tmpdir(), "drctl-step-examples-"));
const kinds = [...STEP_KINDS.values()];

describe("every step kind documents its parameters and an example step", () => {
  it.each(kinds.map((k) => [k.kind, k] as const))(
    "%s: its example loads through the runbook loader",
    (_name, kind) => {
      expect(kind.example, `${kind.kind} has no example`).toBeDefined();
      const file = join(dir, `${kind.kind}.yaml`);
      const step = exampleStep(kind).replace(/^/gm, "  ");
      writeFileSync(file, HEAD + step);
      const loaded = loadRunbook(STEP_KINDS, file);
      expect(loaded.runbook.steps.map((s) => s.kind)).toEqual([kind.kind]);
      expect(kind.params.safeParse(loaded.runbook.steps[0]?.params).success).toBe(true);
    },
  );

  it.each(kinds.map((k) => [k.kind, k] as const))(
    "%s: every parameter has a type and a description",
    (_name, kind) => {
      const params = paramDocs(kind.params);
      expect(params.length, `${kind.kind} lists no parameter`).toBeGreaterThan(0);
      for (const p of params) {
        expect(p.description, `${kind.kind}.${p.name} has no description (.describe())`).toMatch(/\S/);
        expect(p.type, `${kind.kind}.${p.name}`).not.toMatch(/unknown|\bany\b/);
      }
    },
  );

  it("docs/runbook-steps.md lists each parameter with its type, required or default, and meaning", () => {
    const text = stepsMarkdown(STEP_KINDS);
    expect(text).toContain(
      "| `desired` | number | required | The desired capacity to set (min <= desired <= max). |",
    );
    expect(text).toMatch(
      /\| `run` \| string or list of \(string, number or boolean\) \| required \| The command that injects the fault/,
    );
    expect(text).toMatch(
      /\| `timeoutSeconds` \| duration \(500ms, 90s, 2m30s, 1h30m\) or seconds \| default: `300` \|/,
    );
    expect(text).toContain("- id: example-fault-command\n  kind: fault.command\n  params:\n    run:\n");
  });
});
