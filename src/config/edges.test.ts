import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { loadConfig } from "./load.js";

import { ruleIds } from "../catalog.js";

/** drctl.yaml loaded as the CLI loads it: suppressions checked against the rule catalogue. */
const loadConfigOf = (file: string | undefined) => loadConfig(file, { ruleIds: ruleIds() });

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "drctl-config-")), "drctl.yaml");
  writeFileSync(file, text);
  return file;
}

function errorOf(text: string): ConfigError {
  try {
    loadConfigOf(configFile(text));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("drctl.yaml at the edges", () => {
  it("names no notification channel when there is no notify: block", () => {
    const { config } = loadConfigOf(configFile("strategy: pilot-light\n"));
    expect(config.notify.configured).toBe(false);
    expect(config.notify.email.enabled).toBe(false);
    expect(config.notify.webhook).toBeUndefined();
  });

  it("turns the email on by its block, to the outbox unless another transport is named", () => {
    const { config } = loadConfigOf(configFile("notify:\n  email:\n    to: [oncall@example.com]\n"));
    expect(config.notify.email).toMatchObject({ enabled: true, transport: "outbox" });
    expect(
      loadConfigOf(configFile("notify:\n  webhook:\n    url: https://hooks.example.com/x\n")).config.notify,
    ).toMatchObject({ configured: true, email: { enabled: false }, webhook: { format: "slack" } });
  });

  it("refuses a notify: block that names no channel, at its line", () => {
    const err = errorOf("strategy: pilot-light\nnotify:\n  when: always\n");
    expect([err.line, err.detail]).toEqual([
      3,
      "notify: names no channel: expected email: (outbox, smtp or ses) or webhook:",
    ]);
  });

  it("takes names of a fixed set in any case", () => {
    const { config } = loadConfigOf(
      configFile(
        "strategy: Warm-Standby\nnotify:\n  when: ALWAYS\n  email:\n    transport: SMTP\n    smtp: { host: mail.example.com }\n  webhook: { url: 'https://hooks.example.com/x', format: Teams }\n",
      ),
    );
    expect(config.strategy).toBe("warm-standby");
    expect(config.notify.when).toBe("always");
    expect(config.notify.email.transport).toBe("smtp");
    expect(config.notify.webhook?.format).toBe("teams");
    expect(errorOf("strategy: lukewarm\n").detail).toMatch(/^strategy: .*"backup-restore"/);
  });

  it("checks the store location with the parser every command uses, at its line", () => {
    const typo = errorOf("version: 1\nstore: dynamo://history\n");
    expect([typo.line, typo.column]).toEqual([2, 8]);
    expect(typo.detail).toBe(
      'store: store location "dynamo://history": expected dynamodb://TABLE?region=REGION or a file path; found the scheme "dynamo:" (did you mean dynamodb://?)',
    );
    expect(errorOf("store: dynamodb://history\n").detail).toMatch(/the region is missing/);
    expect(errorOf("store: dynamodb://history?region=us-wset-2\n").detail).toMatch(
      /unknown AWS region "us-wset-2"/,
    );
    expect(loadConfigOf(configFile("store: dynamodb://Drctl-History?region=eu-west-1\n")).config.store).toBe(
      "dynamodb://Drctl-History?region=eu-west-1",
    );
  });

  it("says where a top-level key is, for errors found after loading", () => {
    const loaded = loadConfigOf(configFile("strategy: pilot-light\nprofile: prod\n"));
    expect(loaded.where("profile")).toBe(`profile in ${loaded.file ?? ""}:2:10`);
    expect(loaded.where("endpointUrl")).toBe(`endpointUrl in ${loaded.file ?? ""}`);
  });
});
