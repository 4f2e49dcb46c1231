/**
 * Secrets in runbooks: a runbook that sets a new SecureString and rotates an existing one, from
 * values kept in other SecureStrings. Nothing drctl writes or prints holds a value; the journal
 * keeps the references; the failback restores each parameter's type, key and value (from the
 * parameter's own history).
 */
import {
  DescribeParametersCommand,
  GetParameterCommand,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runCli } from "../src/cli/program.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();
let aws: AwsClients;
const OLD_PASSWORD = "0ld-Passw0rd-9f3e";
const NEXT_PASSWORD = "S3cr3t-Pa55-next-7a1c";
const ROTATED_PASSWORD = "R0tated-Pa55-44d2";
const TOKEN = "tok-5c8e-never-shown";
const SECRETS = [OLD_PASSWORD, NEXT_PASSWORD, ROTATED_PASSWORD, TOKEN];
/** Too short to scrub from text without blanking the same digits in times and ids. */
const SHORT_PIN = "739";
const KEY = "alias/app-secrets";

async function drctl(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(["--endpoint-url", env.emulator.endpoint, ...argv], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const ssm = () => aws.get(SSMClient, "us-west-2");
const put = (Name: string, Value: string, Type: "String" | "SecureString", KeyId?: string) =>
  ssm().send(new PutParameterCommand({ Name, Value, Type, Overwrite: true, ...(KeyId ? { KeyId } : {}) }));
async function described(name: string) {
  const out = await ssm().send(
    new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Option: "Equals", Values: [name] }] }),
  );
  return out.Parameters?.[0];
}
const value = async (name: string) =>
  (await ssm().send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter?.Value;

/** Every file under `dir`, as text (binary files too: a secret in a SQLite page is found as well). */
function filesUnder(dir: string): { file: string; text: string; mode: number }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => {
      const file = join(d.parentPath, d.name);
      return { file, text: readFileSync(file).toString("latin1"), mode: statSync(file).mode & 0o777 };
    });
}

function runbookFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "drctl-rb-")), "secrets.yaml");
  writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  aws = await env.clients();
  await put("/app/db/password", OLD_PASSWORD, "SecureString", KEY);
  await put("/staging/next-password", NEXT_PASSWORD, "SecureString");
  await put("/staging/rotated-password", ROTATED_PASSWORD, "SecureString");
  await put("/staging/api-token", TOKEN, "SecureString");
  await put("/staging/pin", SHORT_PIN, "SecureString");
});

describe("a runbook that sets and rotates SecureStrings", () => {
  it("writes no value anywhere, keeps the references, and its failback restores type, key and value", async () => {
    const home = mkdtempSync(join(tmpdir(), "drctl-home-"));
    process.env.DRCTL_HOME = join(home, "drctl");
    const before = await described("/app/db/password");
    expect(before).toMatchObject({ Type: "SecureString", KeyId: KEY });
    // No type in the runbook: the existing parameter's type (a SecureString) is read from AWS.
    const file = runbookFile(`version: 1
name: rotate the database password
application: secrets
region: us-west-2
steps:
  - id: set-password
    kind: ssm.put-parameters
    params: { parameters: { /app/db/password: "\${ssm:/staging/next-password}" } }
  - id: new-token
    kind: ssm.put-parameters
    params:
      parameters: { /app/api/token: { value: "\${ssm:/staging/api-token}", type: SecureString, keyId: "${KEY}" } }
  - id: rotate-password
    kind: ssm.put-parameters
    after: [set-password]
    params: { parameters: { /app/db/password: "\${ssm:/staging/rotated-password}" } }
`);
    const outputs: string[] = [];
    const run = async (...argv: string[]) => {
      const r = await drctl(...argv);
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    const plan = await run("failover", "plan", "--runbook", file);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/\/app\/db\/password=\(secret\)\n\s+-> \/app\/db\/password=\(secret\)/);
    const over = await run("failover", "run", "--runbook", file, "--execute");
    expect(over.code, over.stdout + over.stderr).toBe(0);
    expect(await value("/app/db/password")).toBe(ROTATED_PASSWORD);
    expect(await described("/app/db/password")).toMatchObject({ Type: "SecureString", KeyId: KEY });
    expect(await described("/app/api/token")).toMatchObject({ Type: "SecureString", KeyId: KEY });
    const runId = /run (run-\S+): succeeded/.exec(over.stdout)?.[1] ?? "";

    const status = await run("--json", "runbook", "status", runId);
    const journaled = JSON.parse(status.stdout) as {
      steps: { stepId: string; inputs: unknown; outputs: Record<string, string> }[];
    };
    // The journal keeps the references as written, and what was there before by version only.
    expect(journaled.steps.find((s) => s.stepId === "set-password")?.inputs).toEqual({
      parameters: { "/app/db/password": "${ssm:/staging/next-password}" },
    });
    expect(
      JSON.parse(journaled.steps.find((s) => s.stepId === "set-password")?.outputs.previous ?? ""),
    ).toEqual({
      "/app/db/password": { type: "SecureString", version: 1, keyId: KEY },
    });

    const backPlan = await run("failback", "plan", "--from", runId);
    expect(backPlan.code, backPlan.stdout + backPlan.stderr).toBe(0);
    const back = await run("failback", "run", "--from", runId, "--execute");
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(await value("/app/db/password")).toBe(OLD_PASSWORD);
    expect(await described("/app/db/password")).toMatchObject({ Type: "SecureString", KeyId: KEY });
    expect(await described("/app/api/token")).toBeUndefined();
    const failback = readFileSync(join(home, "drctl", "runbooks", `failback-${runId}.yaml`), "utf8");
    expect(failback).toMatch(
      /\/app\/db\/password:\n\s+value: \$\{ssm:\/app\/db\/password:1\}\n\s+type: SecureString\n\s+keyId: alias\/app-secrets/,
    );

    // Nothing under drctl's home, nothing printed, holds a value.
    const files = filesUnder(home);
    expect(files.map((f) => f.file.slice(home.length))).toEqual(
      expect.arrayContaining(["/drctl/journal.sqlite", `/drctl/runbooks/failback-${runId}.yaml`]),
    );
    for (const secret of SECRETS) {
      for (const f of files) expect(f.text.includes(secret), `${secret} in ${f.file}`).toBe(false);
      for (const o of outputs) expect(o.includes(secret), `${secret} printed`).toBe(false);
    }
    // drctl's home is its owner's only.
    expect(statSync(join(home, "drctl")).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, "drctl", "runbooks")).mode & 0o777).toBe(0o700);
    for (const f of files) expect(f.mode, f.file).toBe(0o600);
  });

  it("refuses to write a secret into a String, or to turn a SecureString into one", async () => {
    process.env.DRCTL_HOME = mkdtempSync(join(tmpdir(), "drctl-home-"));
    await put("/app/plain/setting", "on", "String");
    const file = runbookFile(`version: 1
name: careless
application: careless
region: us-west-2
steps:
  - id: leak
    kind: ssm.put-parameters
    params: { parameters: { /app/plain/setting: "\${ssm:/staging/api-token}" } }
  - id: downgrade
    kind: ssm.put-parameters
    params: { parameters: { /app/db/password: "x-${"y".repeat(8)}" }, type: String }
`);
    const plan = await drctl("failover", "plan", "--runbook", file);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(
      /leak .*\n.*\n\s+would be refused: the value for \/app\/plain\/setting comes from a SecureString; write it as type SecureString/,
    );
    expect(plan.stdout).toMatch(
      /downgrade .*\n.*\n\s+would be refused: \/app\/db\/password is a SecureString in SSM; writing it as String would expose its value/,
    );
    const r = await drctl("failover", "run", "--runbook", file, "--execute");
    expect(r.code).toBe(3);
    expect(await value("/app/plain/setting")).toBe("on");
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it("refuses a SecureString too short to scrub (3 characters) before anything changes, and prints or journals it nowhere", async () => {
    const home = mkdtempSync(join(tmpdir(), "drctl-home-"));
    process.env.DRCTL_HOME = home;
    await put("/app/short/first", "before", "String");
    const file = runbookFile(`version: 1
name: short secret
application: short-secret
region: us-west-2
steps:
  - id: first
    kind: ssm.put-parameters
    params: { parameters: { /app/short/first: after } }
  - id: note
    kind: ssm.put-parameters
    after: [first]
    params: { parameters: { /app/short/note: "pin=\${ssm:/staging/pin}" } }
`);
    const plan = await drctl("failover", "plan", "--runbook", file);
    const run = await drctl("failover", "run", "--runbook", file, "--execute");
    const said = [plan.stdout, plan.stderr, run.stdout, run.stderr].join("\n");
    expect(said).not.toMatch(/pin=739/);
    for (const f of filesUnder(home)) expect(f.text, f.file).not.toContain("pin=739");
    expect([plan.code, run.code], said).toEqual([2, 2]);
    expect(run.stderr).toContain(
      `${file}: step "note": params.parameters./app/short/note: \${ssm:/staging/pin} is a SecureString value of fewer than 4 characters: drctl cannot keep a value that short out of its output and journal`,
    );
    // Refused before the run: the first step changed nothing, no run was journaled.
    expect(await value("/app/short/first")).toBe("before");
    expect(await described("/app/short/note")).toBeUndefined();
  });
});
