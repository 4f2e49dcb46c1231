import { STEP_KINDS } from "../catalog.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runbookEdit } from "./edits.js";
import type { RunRecord, StepRecord } from "./journal.js";
import { loadRunbook } from "./load.js";

const TEXT = `version: 1
name: edits
application: shop
region: us-west-2
config: { group: web }
steps:
  - id: scale
    kind: autoscaling.set-capacity
    params: { group: "\${config.group}", min: 2, desired: 2, max: 4 }
  - id: wait
    kind: sleep
    after: [scale]
    params: { seconds: 5 }
  - id: mark
    kind: ssm.put-parameters
    after: [wait]
    params: { parameters: { /app/mode: active } }
`;

function load(text: string, set = {}) {
  const file = join(mkdtempSync(join(tmpdir(), "drctl-edits-")), "failover.yaml");
  writeFileSync(file, text);
  return loadRunbook(STEP_KINDS, file, set);
}

/** A run of TEXT stopped after `scale` acted: `wait` failed before acting, `mark` never started. */
function stoppedRun() {
  const original = load(TEXT);
  const run: RunRecord = {
    runId: "run-1",
    runbook: "edits",
    file: original.file,
    application: "shop",
    hash: original.hash,
    startedAt: "2026-12-01T10:00:00.000Z",
    finishedAt: "2026-12-01T10:01:00.000Z",
    status: "failed",
    format: 2,
    set: {},
    alarmAt: null,
    undoes: null,
  };
  const step = (stepId: string, more: Partial<StepRecord>): StepRecord => ({
    stepId,
    kind: null,
    status: "pending",
    startedAt: null,
    finishedAt: null,
    attempts: 0,
    outputs: {},
    error: null,
    plan: null,
    inputs: null,
    intent: null,
    fingerprint: original.fingerprints?.[stepId] ?? "",
    ...more,
  });
  const records = [
    step("scale", {
      status: "succeeded",
      attempts: 1,
      intent: { before: {}, plan: "p", at: "t", appliedAt: "t" },
    }),
    step("wait", { status: "failed", attempts: 1, startedAt: "2026-12-01T10:00:30.000Z", error: "boom" }),
    step("mark", {}),
  ];
  return { run, records };
}

describe("a runbook edited since its run began", () => {
  it("is taken when only steps that did not act changed, saying which", () => {
    const { run, records } = stoppedRun();
    expect(runbookEdit(load(TEXT), run, records)).toBeUndefined();
    const fixed = load(TEXT.replace("seconds: 5", "seconds: 1").replace("mode: active", "mode: primary"));
    expect(runbookEdit(fixed, run, records)).toMatch(
      /^the runbook \S+ changed since the run began \(sha256 \w{12} then, \w{12} now\): step "wait", "mark" edited, none of which had acted; the steps that acted are unchanged \(scale\)$/,
    );
    // Text around the steps (a comment, the description) changes no step.
    expect(runbookEdit(load(`# reviewed\n${TEXT}`), run, records)).toMatch(/no step changed/);
  });

  it("is refused naming a step that acted and changed, or a config value it used", () => {
    const { run, records } = stoppedRun();
    const refused =
      /changed since run run-1 began \(sha256 \w+ then, \w+ now\): step "scale" changed, and it has already acted/;
    expect(() => runbookEdit(load(TEXT.replace("desired: 2", "desired: 3")), run, records)).toThrow(refused);
    expect(() => runbookEdit(load(TEXT.replace("group: web", "group: api")), run, records)).toThrow(refused);
    expect(() =>
      runbookEdit(load(TEXT.replace("region: us-west-2", "region: us-east-1")), run, records),
    ).toThrow(refused);
  });

  it("is refused when steps were added, removed or renamed, or with other --set values", () => {
    const { run, records } = stoppedRun();
    expect(() => runbookEdit(load(TEXT.replace("id: mark", "id: mark-active")), run, records)).toThrow(
      /a run's steps cannot be added, removed or renamed \(in the run, not in the runbook: "mark"; in the runbook, not in the run: "mark-active"\)/,
    );
    expect(() => runbookEdit(load(TEXT, { group: "api" }), run, records)).toThrow(
      /its --set values are not those the run began with/,
    );
  });

  it("is refused for a journal that does not record its steps one by one (an older drctl)", () => {
    const { run, records } = stoppedRun();
    const old = records.map(({ fingerprint: _, ...r }) => r);
    expect(() => runbookEdit(load(TEXT.replace("seconds: 5", "seconds: 1")), run, old)).toThrow(
      /does not record its steps one by one, and "scale" acted/,
    );
  });
});
