/**
 * The example drills (examples/drills/) load and plan against the demo world: the DNS failover
 * drill with no runbook, and the warm-standby drill with examples/warm-standby/failover.yaml. A plan
 * reads the fault's subject from AWS, probes each endpoint once and changes nothing.
 */
import { STEP_KINDS } from "../src/catalog.js";
import { GetHealthCheckCommand, ListHealthChecksCommand, Route53Client } from "@aws-sdk/client-route-53";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorld } from "../demo/world/build.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runCli } from "../src/cli/program.js";
import { loadDrill } from "../src/drill/load.js";
import { useEmulator } from "./harness/emulator.js";
import { recordReplicaLag } from "./harness/moto-workarounds.js";

const env = useEmulator();
let aws: AwsClients;
/**
 * drctl.yaml's applications, as the demo writes them: what each drill's fault may touch (a plan
 * without them says the run would refuse: no resource is known to be the application's own).
 */
let configFile: string;

async function drctl(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(["--endpoint-url", env.emulator.endpoint, "--config", configFile, ...argv], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

async function primaryCheckInverted(): Promise<boolean | undefined> {
  const r53 = aws.get(Route53Client, "us-east-1");
  const checks = await r53.send(new ListHealthChecksCommand({}));
  const id = checks.HealthChecks?.find(
    (h) => h.HealthCheckConfig?.FullyQualifiedDomainName === "web-001-1.us-east-1.elb.amazonaws.com",
  )?.Id;
  return (await r53.send(new GetHealthCheckCommand({ HealthCheckId: id }))).HealthCheck?.HealthCheckConfig
    ?.Inverted;
}

beforeAll(async () => {
  aws = await env.clients();
  await buildWorld(aws, { pairs: 1 });
  process.env.DRCTL_HOME = mkdtempSync(join(tmpdir(), "drctl-drill-examples-"));
  configFile = join(process.env.DRCTL_HOME, "drctl.yaml");
  writeFileSync(
    configFile,
    `applications:
  - name: web
    arns: ["arn:aws:elasticloadbalancing:*:*:loadbalancer/app/web-001*", "arn:aws:elasticloadbalancing:*:*:targetgroup/web-001*"]
  - name: api
    arns: ["arn:aws:dynamodb:*:*:table/orders", "arn:aws:route53:::healthcheck/*"]
`,
  );
}, 120_000);

describe("examples/drills", () => {
  it("dns-failover.yaml: no runbook; the plan inverts the primary's health check and changes nothing", async () => {
    const d = loadDrill(STEP_KINDS, "examples/drills/dns-failover.yaml");
    expect(d.runbook).toBeUndefined();
    expect(d.drill.targets).toEqual({ rto: 300, rpo: 60 });
    const r = await drctl("drill", "plan", "examples/drills/dns-failover.yaml");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /fault \[fault\.route53-health-check in us-east-1\]\n\s+health check \S+: not inverted, enabled\n\s+-> health check \S+: inverted, enabled/,
    );
    expect(r.stdout).toContain("failover runbook: none (the architecture fails over by itself)");
    expect(r.stdout).toMatch(/ {2}api https:\/\/web-001\.example\.com\/health: now no answer: /);
    expect(r.stdout).toMatch(
      / {2}items pk=drctl-drill#<drill>#orders#<n> in DynamoDB table orders \(us-east-1\), read in us-west-2, every 1 s/,
    );
    expect(await primaryCheckInverted()).toBe(false);
  }, 60_000);

  it("warm-standby.yaml: the fault on the primary's target group, then examples/warm-standby/failover.yaml, its failback generated", async () => {
    // The emulator keeps no RDS metrics: the replica's lag as CloudWatch would have it.
    await recordReplicaLag(aws, "us-west-2", "app-db-replica", 2);
    const d = loadDrill(STEP_KINDS, "examples/drills/warm-standby.yaml");
    expect(d.runbook?.file).toMatch(/examples\/warm-standby\/failover\.yaml$/);
    expect(d.failbackMode).toBe("generated");
    const r = await drctl("--json", "drill", "plan", "examples/drills/warm-standby.yaml");
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      fault: { id: string; kind: string }[];
      runbook: { id: string; kind: string }[];
      failback: string;
    };
    expect(plan.fault.map((s) => s.kind)).toEqual(["fault.target-group-health-path"]);
    expect(plan.runbook.map((s) => s.id)).toEqual([
      "promote-database",
      "scale-standby",
      "mark-active",
      "wait-healthy",
      "move-traffic",
      "fence-old-primary",
      "settle",
    ]);
    expect(plan.failback).toBe("generated from the failover run's journal");
    const text = await drctl("drill", "plan", "examples/drills/warm-standby.yaml");
    expect(text.stdout).toMatch(
      /fault \[fault\.target-group-health-path in us-east-1\]\n.*\/health.*\n.*-> .*\/drctl-drill-missing/,
    );
    expect(text.stdout).toMatch(/ {2}command canary posts: writes with `psql /);
    expect(text.stdout).toMatch(
      /promote-database \[rds\.promote-read-replica in us-west-2\]\n\s+app-db-replica replicates /,
    );
  }, 60_000);

  it("without applications in drctl.yaml, the plan says the run would refuse (nothing is known to be api's) and exits 1", async () => {
    const out: string[] = [];
    const code = await runCli(
      ["--endpoint-url", env.emulator.endpoint, "drill", "plan", "examples/drills/dns-failover.yaml"],
      { out: (t) => out.push(t), err: () => undefined },
    );
    expect(code).toBe(1);
    expect(out.join("")).toMatch(
      /drill run --execute would refuse to start:\n {2}the fault's target is not the drill's to touch: health check \S+ .*is not a resource of api: application api is not under applications: in drctl.yaml/,
    );
    expect(await primaryCheckInverted()).toBe(false);
  }, 60_000);
});
