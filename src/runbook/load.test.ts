import { STEP_KINDS } from "../catalog.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { criticalPath, waves } from "./dag.js";
import type { AwsClients } from "../aws/client-factory.js";
import { loadRunbook } from "./load.js";
import { Secrets } from "./secrets.js";
import { paramsOf } from "./step-params.js";

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "drctl-runbook-")), "failover.yaml");
  writeFileSync(path, text);
  return path;
}

const HEAD = "version: 1\nname: warm standby\napplication: shop\nregion: us-west-2\nsteps:\n";

describe("runbook files", () => {
  it("load with defaults and a content hash", () => {
    const { runbook, hash } = loadRunbook(
      STEP_KINDS,
      file(
        `${HEAD}  - id: promote\n    kind: sleep\n    params: { seconds: 1 }\n  - id: scale\n    kind: sleep\n    params: { seconds: 1 }\n    after: [promote]\n`,
      ),
    );
    expect(runbook.steps.map((s) => [s.id, s.after, s.onFailure, s.retries])).toEqual([
      ["promote", [], "stop", 0],
      ["scale", ["promote"], "stop", 0],
    ]);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    [`${HEAD}  - id: a\n    kind: sleep\n    afetr: [b]\n`, 8, 5, /unknown key "afetr"/],
    [
      `${HEAD}  - id: a\n    kind: sleep\n    after: [nope]\n`,
      8,
      12,
      /runs after "nope", which is not a step/,
    ],
    [`${HEAD}  - id: a\n    kind: sleep\n  - id: a\n    kind: sleep\n`, 8, 9, /duplicate step id "a"/],
    [
      `${HEAD}  - id: a\n    kind: sleep\n    after: [b]\n  - id: b\n    kind: sleep\n    after: [a]\n`,
      11,
      12,
      /cycle: (a -> b -> a|b -> a -> b)/,
    ],
    [`${HEAD}  - id: Bad_Id\n    kind: sleep\n`, 6, 9, /lower-case letters/],
    ["version: 1\nname: x\nregion: us-west-2\nsteps: []\n", 1, 1, /application/],
  ])("reports %#: at line %d column %d", (text, line, column, message) => {
    try {
      loadRunbook(STEP_KINDS, file(text));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      expect(e.message).toMatch(message);
      expect([e.line, e.column]).toEqual([line, column]);
    }
  });
});

describe("durations in a runbook", () => {
  it("are read in every form: a step's timeout and a kind's seconds", () => {
    const { runbook } = loadRunbook(
      STEP_KINDS,
      file(
        `${HEAD}  - id: a\n    kind: sleep\n    params: { seconds: 500ms }\n    timeoutSeconds: 2m30s\n  - id: b\n    kind: sleep\n    params: { seconds: 1.5s }\n    timeoutSeconds: 1h30m\n  - id: c\n    kind: sleep\n    params: { seconds: 30 }\n  - id: d\n    kind: http.check\n    params: { url: "https://example.com/", intervalSeconds: 500ms, requestTimeoutSeconds: "2" }\n  - id: e\n    kind: fault.command\n    params: { run: "true", revert: "true", timeoutSeconds: 1m }\n`,
      ),
    );
    expect(runbook.steps.map((s) => s.timeoutSeconds)).toEqual([150, 5400, 900, 900, 900]);
    const params = runbook.steps.map((s) => STEP_KINDS.get(s.kind)?.params.parse(s.params));
    expect(params.slice(0, 3)).toEqual([{ seconds: 0.5 }, { seconds: 1.5 }, { seconds: 30 }]);
    expect(params[3]).toMatchObject({ intervalSeconds: 0.5, requestTimeoutSeconds: 2 });
    expect(params[4]).toMatchObject({ timeoutSeconds: 60 });
  });

  it("that cannot be read are refused at their line, with the forms drctl takes", () => {
    expect(() =>
      loadRunbook(
        STEP_KINDS,
        file(`${HEAD}  - id: a\n    kind: sleep\n    params:\n      seconds: 5 minutes\n`),
      ),
    ).toThrow(
      /failover\.yaml:9:\d+: .*seconds: expected a duration: .*500ms.*bare number of seconds \(30\); found "5 minutes"/,
    );
    expect(() =>
      loadRunbook(STEP_KINDS, file(`${HEAD}  - id: a\n    kind: sleep\n    timeoutSeconds: 90 s\n`)),
    ).toThrow(/failover\.yaml:8:\d+: steps\.0\.timeoutSeconds: expected a duration: .*found "90 s"/);
  });
});

describe("the step graph", () => {
  const steps = [
    { id: "promote", after: [] },
    { id: "scale", after: [] },
    { id: "params", after: ["promote"] },
    { id: "healthy", after: ["scale"] },
    { id: "dns", after: ["params", "healthy"] },
  ].map((s) => ({
    ...s,
    kind: "sleep",
    params: {},
    timeoutSeconds: 1,
    retries: 0,
    onFailure: "stop" as const,
  }));

  it("runs independent steps in the same wave", () => {
    expect(waves(steps).map((w) => w.map((s) => s.id))).toEqual([
      ["promote", "scale"],
      ["params", "healthy"],
      ["dns"],
    ]);
  });

  it("finds the critical path and its duration", () => {
    const took: Record<string, number> = { promote: 300, scale: 100, params: 10, healthy: 120, dns: 60 };
    expect(criticalPath(steps, (id) => took[id] ?? 0)).toEqual({
      path: ["promote", "params", "dns"],
      totalMs: 370,
    });
  });
});

/** The ConfigError loading `text` raises: its line, column and message. */
function refusal(text: string): { line: number; column: number; message: string } {
  try {
    loadRunbook(STEP_KINDS, file(text));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    return { line: e.line, column: e.column, message: e.detail };
  }
  return expect.unreachable("the runbook loaded");
}

const TWO_STEPS = (ref: string, after = "[promote]") =>
  `${HEAD}  - id: promote\n    kind: rds.promote-read-replica\n    params: { instance: db-replica }\n  - id: mark\n    kind: ssm.put-parameters\n    after: ${after}\n    params:\n      parameters:\n        /app/db/endpoint: "${ref}"\n`;

describe("references are checked when a runbook is loaded, before any plan", () => {
  it("refuses a step that does not exist, at its line, naming the closest step", () => {
    expect(refusal(TWO_STEPS("${steps.promte.outputs.endpoint}"))).toEqual({
      line: 14,
      column: 27,
      message:
        'steps[1].params.parameters./app/db/endpoint: ${steps.promte.outputs.endpoint}: no step "promte" in this runbook (did you mean "promote"?)',
    });
    expect(refusal(TWO_STEPS("${steps.nope.outputs.endpoint}")).message).toMatch(
      /\$\{steps.nope.outputs.endpoint\}: no step "nope" in this runbook$/,
    );
  });

  it("refuses an output the step's kind does not produce, naming the closest and its outputs", () => {
    expect(refusal(TWO_STEPS("${steps.promote.outputs.endpont}")).message).toBe(
      'steps[1].params.parameters./app/db/endpoint: ${steps.promote.outputs.endpont}: step "promote" (rds.promote-read-replica) has no output "endpont" (did you mean "endpoint"?); rds.promote-read-replica outputs endpoint, port, arn, previousSource',
    );
  });

  it("refuses a step whose output is used by a step that does not run after it", () => {
    expect(refusal(TWO_STEPS("${steps.promote.outputs.endpoint}", "[]")).message).toBe(
      'steps[1].params.parameters./app/db/endpoint: ${steps.promote.outputs.endpoint}: step "mark" does not run after "promote", so that output is not there when it runs; add "promote" to its after:',
    );
    // Reachable through another step's after: is enough.
    const through = `${HEAD}  - id: promote\n    kind: rds.promote-read-replica\n    params: { instance: db-replica }\n  - id: wait\n    kind: sleep\n    after: [promote]\n    params: { seconds: 1 }\n  - id: mark\n    kind: ssm.put-parameters\n    after: [wait]\n    params: { parameters: { /app/db/endpoint: "\${steps.promote.outputs.endpoint}" } }\n`;
    expect(loadRunbook(STEP_KINDS, file(through)).runbook.steps).toHaveLength(3);
  });

  it("refuses a config key the runbook does not have, a malformed reference, an unknown kind", () => {
    const config = `${HEAD.replace("steps:\n", "config: { replica: db-replica }\nsteps:\n")}  - id: promote\n    kind: rds.promote-read-replica\n    params: { instance: "\${config.replca}" }\n`;
    expect(refusal(config)).toEqual({
      line: 9,
      column: 25,
      message:
        'steps[0].params.instance: ${config.replca}: no "replca" in the runbook\'s config: block (did you mean "replica"?); its keys: replica',
    });
    expect(refusal(TWO_STEPS("${steps.Promote.outputs.endpoint}")).message).toMatch(
      /\$\{steps.Promote.outputs.endpoint\} is not a reference drctl knows \(it would be kept as text\)/,
    );
    expect(refusal(`${HEAD}  - id: a\n    kind: rds.promote-read-replca\n`)).toMatchObject({
      line: 7,
      column: 11,
      message: expect.stringMatching(
        /^steps\[0\].kind: no step kind "rds.promote-read-replca" \(did you mean "rds.promote-read-replica"\?\)/,
      ) as unknown,
    });
  });

  it("refuses a literal parameter its kind refuses, and leaves one that is a reference to its plan", () => {
    expect(refusal(`${HEAD}  - id: a\n    kind: sleep\n    params: { secnds: 1 }\n`)).toEqual({
      line: 8,
      column: 15,
      message:
        "steps[0].params.secnds: unknown parameter of sleep; did you mean `seconds`? (its parameters: seconds)",
    });
    const deferred = `${HEAD.replace("steps:\n", "config: { wait: 1 }\nsteps:\n")}  - id: a\n    kind: sleep\n    params: { seconds: "\${config.wait}" }\n`;
    expect(loadRunbook(STEP_KINDS, file(deferred)).runbook.steps[0]?.params).toEqual({
      seconds: "${config.wait}",
    });
  });
});

describe("parameters are checked when a runbook is loaded, at the line of the key", () => {
  const SCALE = (params: string) =>
    `${HEAD.replace("steps:\n", "config: { group: web, count: two }\nsteps:\n")}  - id: scale\n    kind: autoscaling.set-capacity\n    params:\n${params}`;

  it("refuses a misspelt parameter at its own line, naming the closest known one, before what it misspells is missing", () => {
    expect(
      refusal(SCALE('      group: "${config.group}"\n      min: 1\n      desried: 2\n      max: 3\n')),
    ).toEqual({
      line: 12,
      column: 7,
      message:
        "steps[0].params.desried: unknown parameter of autoscaling.set-capacity; did you mean `desired`? (its parameters: group, min, desired, max, waitInService)",
    });
  });

  it("refuses an unknown key inside a parameter, naming the closest key there", () => {
    const text = `${HEAD}  - id: dns\n    kind: route53.change-records\n    params:\n      zone: Z1\n      records:\n        - name: app.example.com\n          type: CNAME\n          values: [b.example.com]\n          tll: 30\n`;
    expect(refusal(text)).toEqual({
      line: 14,
      column: 11,
      message: expect.stringMatching(
        /^steps\[0\]\.params\.records\[0\]\.tll: unknown parameter of route53\.change-records; did you mean `ttl`\? \(its keys there: name, type, .*ttl\)$/,
      ) as unknown,
    });
  });

  it("refuses a literal of the wrong type at its line", () => {
    expect(
      refusal(SCALE("      group: web\n      min: 1\n      desired: two\n      max: 3\n")),
    ).toMatchObject({
      line: 12,
      column: 16,
      message: expect.stringMatching(
        /^steps\[0\]\.params\.desired: .*expected number, received string/,
      ) as unknown,
    });
  });

  it("a reference whose value has the wrong type is refused when it is resolved, with the file and line", async () => {
    const path = file(
      SCALE('      group: web\n      min: 1\n      desired: "${config.count}"\n      max: 3\n'),
    );
    const loaded = loadRunbook(STEP_KINDS, path);
    const step = loaded.runbook.steps[0];
    const kind = STEP_KINDS.get("autoscaling.set-capacity");
    if (!step || !kind) return expect.unreachable();
    const secrets = new Secrets();
    await expect(
      paramsOf(step, kind, loaded, {} as AwsClients, "us-west-2", secrets, () => undefined),
    ).rejects.toThrow(
      new RegExp(
        `^${path.replace(/[.]/g, "\\.")}:12: step "scale" \\(autoscaling\\.set-capacity\\): params\\.desired: .*expected number, received string$`,
      ),
    );
  });
});

describe("URLs with a user or password", () => {
  it("are refused at their line in http.check, and the password is not in the message", () => {
    const text = `${HEAD}  - id: check\n    kind: http.check\n    params:\n      url: https://probe:S3cr3t@app.example.com/health\n`;
    const r = refusal(text);
    expect(r).toMatchObject({ line: 9, column: 12 });
    expect(r.message).toMatch(/^steps\[0\].params.url: expected a URL without a user or password/);
    expect(r.message).not.toContain("S3cr3t");
  });

  it("are refused in every step kind's URL parameter (notify's webhook) and in drctl.yaml", async () => {
    const notify = `${HEAD}  - id: tell\n    kind: notify\n    params: { message: hi, webhookUrl: "https://u:p4ss@hooks.example.com/x" }\n`;
    expect(refusal(notify).message).toMatch(
      /^steps\[0\].params.webhookUrl: expected a URL without a user or password/,
    );
    const { loadConfig } = await import("../config/load.js");
    const config = join(mkdtempSync(join(tmpdir(), "drctl-config-")), "drctl.yaml");
    writeFileSync(config, "version: 1\nendpointUrl: http://admin:pw@127.0.0.1:5000\n");
    expect(() => loadConfig(config, { ruleIds: [] })).toThrow(
      /drctl.yaml:2:14: endpointUrl: expected a URL without a user or password/,
    );
  });
});

describe("commands", () => {
  const command = (params: string) =>
    `${HEAD}  - id: inject\n    kind: fault.command\n    params:\n${params}`;

  it("refuse a reference inside a shell script at its line, saying what to write instead", () => {
    const r = refusal(
      command(`      run: "ssh \${ssm:/app/web-host} sudo systemctl stop nginx"\n      revert: "true"\n`),
    );
    expect(r).toMatchObject({ line: 9, column: 12 });
    expect(r.message).toBe(
      'steps[0].params.run: ${ssm:/app/web-host} inside a shell script is refused: its value would run as shell code. Give it to the script as an environment variable: env: { WEB_HOST: "${ssm:/app/web-host}" }, and "$WEB_HOST" in the script; or write run as a list, a program and its arguments, which no shell reads: run: ["./script.sh", "${ssm:/app/web-host}"]',
    );
    expect(refusal(command(`      run: "true"\n      revert: "echo \${config.x}"\n`)).message).toMatch(
      /^steps\[0\].params.revert: \$\{config.x\} inside a shell script is refused/,
    );
  });

  it("refuse a reference naming the program; take references in arguments and in env:", () => {
    expect(
      refusal(command(`      run: ["\${ssm:/app/tool}", "stop"]\n      revert: "true"\n`)),
    ).toMatchObject({
      line: 9,
      message: expect.stringMatching(
        /^steps\[0\].params.run\[0\]: the program to run is written as it is/,
      ) as unknown,
    });
    const ok = loadRunbook(
      STEP_KINDS,
      file(
        command(
          `      run: ["./stop.sh", "\${ssm:/app/web-host}"]\n      revert: 'ssh "$HOST" sudo systemctl start nginx'\n      env: { HOST: "\${ssm:/app/web-host}" }\n`,
        ),
      ),
    );
    expect(ok.runbook.steps[0]?.params.env).toEqual({ HOST: "${ssm:/app/web-host}" });
  });
});
