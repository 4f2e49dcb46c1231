import { describe, expect, it } from "vitest";
import { runRuleCases, SETTINGS } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { listenerRules } from "./rules.js";

runRuleCases(listenerRules, cases);

describe("listener messages", () => {
  const message = (id: string) => {
    const rule = listenerRules.find((r) => r.id === id);
    const c = cases[id];
    if (!rule || !c) throw new Error(id);
    return rule.check(c.fail[0], c.fail[1], SETTINGS)[0]?.message;
  };

  it("says what each side does, in words, naming groups by name", () => {
    expect(message("listener.default-actions")).toBe(
      'port 443: the standby returns a fixed 503 "maintenance" (text/plain); the primary forwards to app-p-a (twin of app-s-a)',
    );
    expect(message("listener.rule-actions")).toBe(
      "port 443 rule 10 on the standby forwards to app-s-a (twin of app-p-a); on the primary it forwards to app-p-b (twin of app-s-b)",
    );
    expect(message("listener.rule-conditions")).toBe(
      "port 443 rule 10 on the standby matches host api.example.net; on the primary it matches host api.example.com",
    );
  });
});
