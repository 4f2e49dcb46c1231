import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { drillSpan, fromHere } from "./procedures.js";

describe("fromHere: a file named in drctl.yaml as a command typed here names it", () => {
  it("is relative to the current directory when below it", () => {
    expect(fromHere(join(process.cwd(), "out"), "../examples/failover.yaml")).toBe(
      join("examples", "failover.yaml"),
    );
    expect(fromHere(process.cwd(), "runbooks/failover.yaml")).toBe(join("runbooks", "failover.yaml"));
  });
  it("is absolute when outside it, so the command still finds it", () => {
    expect(fromHere("/etc/drctl", "failover.yaml")).toBe(resolve("/etc/drctl/failover.yaml"));
    expect(fromHere(process.cwd(), "/srv/runbooks/failover.yaml")).toBe("/srv/runbooks/failover.yaml");
  });
});

describe("drillSpan: how long a drill's runbook steps took", () => {
  const step = (id: string, seconds: number, startSeconds?: number) => ({
    id,
    kind: "sleep",
    seconds,
    outcome: "succeeded",
    ...(startSeconds === undefined ? {} : { startSeconds }),
  });
  it("is first start to last end: steps side by side are not added up", () => {
    // promote (41 s) and scale (63 s) together from +5 s, then DNS for 4 s.
    expect(drillSpan([step("promote", 41, 5), step("scale", 63, 5), step("dns", 4, 68)])).toBe(67);
  });
  it("is nothing when the drill ran no step (runbook: none, or it stopped first)", () => {
    expect(drillSpan([])).toBeUndefined();
  });
  it("adds the steps up when their start is not recorded", () => {
    expect(drillSpan([step("a", 2), step("b", 3)])).toBe(5);
  });
});
