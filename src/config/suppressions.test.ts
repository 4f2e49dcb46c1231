import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { loadConfig } from "./load.js";

import { ruleIds } from "../catalog.js";

/** drctl.yaml loaded as the CLI loads it: suppressions checked against the rule catalogue. */
const loadConfigOf = (file: string | undefined) => loadConfig(file, { ruleIds: ruleIds() });

function load(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), "drctl-suppress-")), "drctl.yaml");
  writeFileSync(file, text);
  return () => loadConfigOf(file);
}

const suppression = (fields: string) => `suppressions:\n  - reason: accepted until the cut-over\n${fields}`;

describe("suppressions that cannot silently lie", () => {
  it("accepts a rule id, a pattern that names rules, and a real date", () => {
    const { config } = load(
      suppression("    rule: listener.ssl-policy\n    expires: 2026-12-31\n") +
        "  - rule: load-balancer.*\n    reason: accepted\n",
    )();
    expect(config.suppressions.map((s) => s.rule)).toEqual(["listener.ssl-policy", "load-balancer.*"]);
  });

  it("refuses a date that does not exist, at its line", () => {
    for (const date of ["2026-13-45", "2026-02-29", "2026-04-31"]) {
      const run = load(suppression(`    rule: listener.ssl-policy\n    expires: ${date}\n`));
      expect(run).toThrow(ConfigError);
      expect(run).toThrow(
        /drctl\.yaml:4:14: suppressions\.0\.expires: expected a real calendar date as YYYY-MM-DD/,
      );
    }
  });

  it("refuses a rule that names no rule, suggesting the one meant", () => {
    const run = load(suppression("    rule: listener.ssl-polcy\n"));
    expect(run).toThrow(
      /drctl\.yaml:3:11: suppressions\.0\.rule: expected a rule id \(or a pattern such as listener\.\*\), found "listener\.ssl-polcy", which names no rule; did you mean listener\.ssl-policy\?/,
    );
    expect(load(suppression("    rule: lisener.*\n"))).toThrow(/found "lisener\.\*", which names no rule/);
  });

  it("accepts a drill's rule id and a pattern of them, as any rule's", () => {
    const { config } = load(
      suppression("    rule: drill.no-region-field\n    pair: endpoint api*\n") +
        "  - rule: drill.canary-*\n    reason: accepted\n",
    )();
    expect(config.suppressions.map((s) => s.rule)).toEqual(["drill.no-region-field", "drill.canary-*"]);
  });

  it("refuses a drill rule id that names no rule, at its line, suggesting the one meant", () => {
    expect(load(suppression("    rule: drill.no-regoin-field\n"))).toThrow(
      /drctl\.yaml:3:11: suppressions\.0\.rule: expected a rule id \(or a pattern such as listener\.\*\), found "drill\.no-regoin-field", which names no rule; did you mean drill\.no-region-field\?/,
    );
  });
});
