import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generatedDocs } from "../scripts/generated-docs.js";
import { commandPermissions, otherPermissions } from "../src/permissions.js";

describe("generated documentation", () => {
  it.each(generatedDocs())("$file is up to date (run npm run docs)", ({ file, content }) => {
    expect(readFileSync(file, "utf8")).toBe(content);
  });

  it("declares well-formed IAM actions for every command", () => {
    for (const [command, actions] of Object.entries({ ...commandPermissions(), ...otherPermissions() })) {
      expect(actions.length, command).toBeGreaterThan(0);
      for (const action of actions) expect(action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
    }
  });
});
