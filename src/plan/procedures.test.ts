import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { fromHere } from "./procedures.js";

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
