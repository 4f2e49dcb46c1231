/**
 * The DR plan's "by hand" sections on the demo world can be pasted as printed: every AWS CLI
 * command in them (command substitutions included) names an operation of its service and gives
 * every required member of its input, with ARNs where the CLI wants ARNs, real timestamps and
 * change batches inline; nothing is left to fill in.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorld } from "../demo/world/build.js";
import { runCli } from "../src/cli/program.js";
import type { PlanResult } from "../src/core/plan-result.js";
import { checkCommands } from "../src/runbook/cli-shapes.testing.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();
let configFile: string;

beforeAll(async () => {
  await buildWorld(await env.clients(), { pairs: 1 });
  const dir = mkdtempSync(join(tmpdir(), "drctl-plan-manual-"));
  configFile = join(dir, "drctl.yaml");
  const example = (f: string) => resolve("examples", f);
  writeFileSync(
    configFile,
    `regions: { primary: us-east-1, standby: us-west-2 }
strategy: pilot-light
store: ${join(dir, "history.sqlite")}
applications:
  - name: web
    rto: 30m
    arns: ["arn:aws:elasticloadbalancing:*:*:loadbalancer/app/web-001*", "arn:aws:rds:*:*:db:app-db*"]
    contacts: [{ name: DR on-call, pager: "https://pager.example.com/dr" }]
    runbooks:
      failover: ${example("warm-standby/failover.yaml")}
      failback: ${example("warm-standby/failback.yaml")}
  - name: api
    rto: 30m
    arns: ["arn:aws:elasticloadbalancing:*:*:loadbalancer/app/web-001*"]
    contacts: [{ name: DR on-call, pager: "https://pager.example.com/dr" }]
    runbooks:
      failover: ${example("dns-failover/failover.yaml")}
      failback: ${example("dns-failover/failback.yaml")}
`,
  );
  process.env.DRCTL_HOME = join(dir, "home");
});

describe("the plan's failover and failback by hand", () => {
  it("parse, command by command, against the AWS CLI's operation shapes, with nothing left to fill in", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(["--config", configFile, "--json", "plan", "--no-store"], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    expect(code, err.join("")).toBe(0);
    const plans = (JSON.parse(out.join("")) as { plans: PlanResult[] }).plans;
    expect(plans.map((p) => p.application).sort()).toEqual(["api", "web"]);
    let checked = 0;
    for (const plan of plans)
      for (const procedure of [plan.failover, plan.failback]) {
        expect(procedure.steps.length, `${plan.application} ${procedure.name ?? ""}`).toBeGreaterThan(0);
        for (const step of procedure.steps) {
          const { commands, issues } = checkCommands(step.manual);
          expect(issues, `${plan.application} ${step.id}:\n${step.manual.join("\n")}`).toEqual([]);
          checked += commands.length;
          // Words for people are comments: a line is a command, or starts with #.
          for (const line of step.manual)
            expect(line, step.id).toMatch(/^(#|aws |[A-Z_]+=\$\(|printf |curl |sleep )/);
        }
      }
    // promote, scale, parameters, health, DNS, fence, ... in both directions, substitutions counted.
    expect(checked).toBeGreaterThan(30);
    const text = plans
      .flatMap((p) => [...p.failover.steps, ...p.failback.steps])
      .flatMap((s) => s.manual)
      .join("\n");
    expect(text).not.toMatch(/NOW-15MIN|file:\/\/change\.json|ZONE-ID-OF|CHANGE-ID|<[a-zA-Z]+ of step /);
  });
});
