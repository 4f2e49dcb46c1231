import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildProgram, invokedCommand, runCli } from "./program.js";

describe("invokedCommand", () => {
  it("finds the command after global options, skipping their values", () => {
    expect(invokedCommand(["scan"])).toBe("scan");
    expect(invokedCommand(["--region", "eu-west-1", "--json", "scan", "--html", "x"])).toBe("scan");
    expect(invokedCommand(["--config", "plan", "inventory"])).toBe("inventory");
    expect(invokedCommand(["--endpoint-url", "http://127.0.0.1:5000", "failback", "plan"])).toBe("failback");
    expect(invokedCommand(["--region=eu-west-1", "drill", "run", "d.yaml"])).toBe("drill");
  });

  it("reads `help COMMAND` as that command's help", () => {
    expect(invokedCommand(["help", "runbook"])).toBe("runbook");
  });

  it("is undefined for no command, an unknown one, or arguments after --", () => {
    expect(invokedCommand([])).toBeUndefined();
    expect(invokedCommand(["--version"])).toBeUndefined();
    expect(invokedCommand(["scna"])).toBeUndefined();
    expect(invokedCommand(["--", "scan"])).toBeUndefined();
  });
});

describe("buildProgram", () => {
  const names = (argv?: string[]) =>
    buildProgram({ out: () => {}, err: () => {} }, () => {}, argv).then((p) =>
      p.commands.map((c) => `${c.name()}:${c.commands.length}`),
    );

  it("registers every command by name, and only the invoked one with its subcommands", async () => {
    const stubs = await names(["--help"]);
    expect(stubs).toContain("runbook:0");
    const invoked = await names(["runbook", "list"]);
    expect(invoked.find((n) => n.startsWith("runbook:"))).not.toBe("runbook:0");
    expect(invoked.find((n) => n.startsWith("drill:"))).toBe("drill:0");
    expect(invoked.map((n) => n.split(":")[0]).sort()).toEqual(stubs.map((n) => n.split(":")[0]).sort());
  });

  it("describes each command the same whether loaded or not", async () => {
    const full = await buildProgram({ out: () => {}, err: () => {} }, () => {});
    const lazy = await buildProgram({ out: () => {}, err: () => {} }, () => {}, []);
    const describe = (p: typeof full) => p.commands.map((c) => [c.name(), c.description()]).sort();
    expect(describe(lazy)).toEqual(describe(full));
  });
});

describe("a command's context", () => {
  it("checks drctl.yaml's suppressions against every rule, though a command loads the rule catalogue only for them", async () => {
    const config = join(mkdtempSync(join(tmpdir(), "drctl-program-")), "drctl.yaml");
    writeFileSync(
      config,
      "suppressions:\n  - rule: listener.protocl\n    reason: the standby listens on another port\n",
    );
    const said: string[] = [];
    const code = await runCli(["--config", config, "scan"], { out: () => {}, err: (s) => said.push(s) });
    expect(code).toBe(2);
    expect(said.join("")).toMatch(
      /suppressions\.0\.rule: expected a rule id .* found "listener\.protocl", which names no rule; did you mean listener\.protocol\?/,
    );
  });
});
