import { describe, expect, it } from "vitest";
import { checkCommands, parseShell, type ShellWord } from "./cli-shapes.testing.js";
import { loadRunbook } from "./load.js";
import { code, output, sh, word } from "./manual.js";
import { manualSteps } from "./manual-steps.js";
import { manualCommand } from "./steps/fault-command.js";
import { STEP_KINDS } from "../catalog.js";

const R = "eu-west-1";
const ARN = "arn:aws:rds:eu-west-1:123456789012:db:app-db";
/** Data that would run if it were ever code. */
const EVIL = `x'; touch /tmp/pwned; echo "$(id)" \`id\` $HOME\nrm -rf ~ #`;

/** Parameters of every kind with a manual, as a runbook writes them. */
const SAMPLES: Record<string, Record<string, unknown>> = {
  approval: { message: "the primary region is healthy" },
  sleep: { seconds: 90 },
  "ssm.put-parameters": {
    parameters: { "/app/region/role": "primary", "/app/secret": { value: "s3cr3t", type: "SecureString" } },
    remove: ["/app/old"],
  },
  "autoscaling.set-capacity": { group: "web", min: 2, desired: 2, max: 4 },
  "route53.change-records": {
    zone: "example.com",
    records: [
      { name: "app.example.com", type: "CNAME", values: ["web.eu-west-1.elb.amazonaws.com"], ttl: 60 },
      {
        name: "api.example.com",
        type: "A",
        setIdentifier: "primary",
        failover: "PRIMARY",
        alias: { dnsName: "web.elb.amazonaws.com", hostedZoneId: "Z32O12XQLNTSW2" },
      },
    ],
    remove: [{ name: "old.example.com", type: "CNAME" }],
  },
  "rds.promote-read-replica": { instance: "app-db-replica", maxLagSeconds: 900 },
  "route53.health-check": { healthCheck: "web.us-east-1.elb.amazonaws.com", inverted: true },
  "rds.create-read-replica": { instance: "app-db-replica-2", source: ARN },
  "fence-primary": {
    autoScalingGroup: "web",
    securityGroup: { groupId: "sg-0123456789abcdef0", ports: [443, 3306] },
    healthCheck: "0c8b2c2e-1b9f-4a55-9c1d-0123456789ab",
  },
  "aurora.global-switchover": { globalCluster: "orders", targetCluster: "orders-euw1" },
  "aurora.global-failover": { globalCluster: "orders", targetCluster: "arn:aws:rds:eu-west-1:1:cluster:x" },
  "globalaccelerator.traffic-dial": {
    listenerArn: "arn:aws:globalaccelerator::123456789012:accelerator/a/listener/l",
    dials: { "us-east-1": 0, "eu-west-1": 100 },
  },
  "elbv2.wait-healthy": { targetGroup: "web-001-app", minHealthy: 2 },
  "http.check": { url: "https://app.example.com/health", expectStatus: 200, expectBody: "healthy" },
  notify: { topicArn: "arn:aws:sns:eu-west-1:123456789012:dr-oncall", subject: "failover", message: "done" },
  "lambda.invoke": { function: "custom-step", payload: { action: "drain", count: 2 } },
  "ec2.create-image": { autoScalingGroup: "web", name: "app-daily", tags: { app: "web" } },
  "ec2.copy-image": { source: "ami-0123456789abcdef0", sourceRegion: "us-east-1", kmsKeyId: "alias/ebs" },
  "ec2.prune-images": { tags: { app: "web" }, olderThanDays: 7, keep: 3 },
  "ec2.start-instances": { instances: ["i-0123456789abcdef0", "i-0fedcba9876543210"] },
  "fis.stop-experiment": { experiment: "EXP123abc" },
  "elbv2.health-check-path": { targetGroup: "web-001-app", path: "/health" },
  "fault.target-group-health-path": {
    targetGroup: "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/x/y",
  },
  command: { run: "systemctl start app" },
  "fault.command": { run: "systemctl stop app", revert: "systemctl start app" },
};

/** Every word of a line and of its substitutions, as the shell passes them. */
function words(line: string): ShellWord[] {
  const parsed = parseShell(line);
  return [...parsed.commands.flat(), ...parsed.substitutions.flatMap(words)];
}

describe("each step kind by hand", () => {
  it("has a sample here for every kind with a manual", () => {
    const kinds = [...STEP_KINDS.values()].filter((k) => k.manual !== undefined).map((k) => k.kind);
    expect(kinds.filter((k) => !(k in SAMPLES))).toEqual([]);
  });

  for (const [kind, params] of Object.entries(SAMPLES))
    it(`${kind}: every AWS CLI command parses against the operation's input shape, nothing left to fill in`, () => {
      const lines = STEP_KINDS.get(kind)?.manual?.(params, R) ?? [];
      expect(lines.length).toBeGreaterThan(0);
      const { commands, issues } = checkCommands(lines);
      expect(issues).toEqual([]);
      if (!["approval", "sleep", "http.check", "command", "fault.command"].includes(kind))
        expect(commands.length).toBeGreaterThan(0);
    });

  it("the old commands are refused: a name where the CLI wants an ARN, a placeholder time, a file never given", () => {
    const { issues } = checkCommands([
      "aws elbv2 describe-target-health --region us-west-2 --target-group-arn shop-euw1-alb-app",
      "aws cloudwatch get-metric-statistics --region us-west-2 --namespace AWS/RDS --metric-name ReplicaLag --period 60 --start-time NOW-15MIN --end-time NOW",
      "aws route53 change-resource-record-sets --hosted-zone-id ZONE-ID-OF-example.com --change-batch file://change.json",
      "aws rds promote-read-replica --region us-west-2",
      "aws rds promote-replica --region us-west-2 --db-instance-identifier x",
    ]);
    expect(issues).toEqual([
      expect.stringMatching(
        /--target-group-arn \(TargetGroupArn\): expected an ARN, got the name "shop-euw1-alb-app"/,
      ),
      expect.stringMatching(/--start-time \(StartTime\): expected a timestamp, got "NOW-15MIN"/),
      expect.stringMatching(/--end-time \(EndTime\): expected a timestamp, got "NOW"/),
      expect.stringMatching(/--hosted-zone-id \(HostedZoneId\): "ZONE-ID-OF-example.com" is a placeholder/),
      expect.stringMatching(
        /--change-batch \(ChangeBatch\): reads change.json, which nothing printed writes/,
      ),
      expect.stringMatching(
        /aws rds promote-read-replica: --db-instance-identifier \(DBInstanceIdentifier\) is required/,
      ),
      expect.stringMatching(/aws rds promote-replica: no such operation/),
    ]);
  });

  it("keeps values data: whatever a name or message holds reaches the command as one word, never as code", () => {
    const evil: Record<string, Record<string, unknown>> = {
      "rds.promote-read-replica": { instance: EVIL },
      "ssm.put-parameters": { parameters: { "/app/x": EVIL, "/app/url": "https://example.com" } },
      "route53.change-records": { zone: EVIL, records: [{ name: EVIL, type: "CNAME", values: [EVIL] }] },
      notify: { topicArn: "arn:aws:sns:eu-west-1:1:t", subject: EVIL, message: EVIL },
      approval: { message: EVIL },
      "http.check": { url: EVIL, expectBody: EVIL },
      "route53.health-check": { healthCheck: EVIL, inverted: true },
      "elbv2.wait-healthy": { targetGroup: EVIL },
      "lambda.invoke": { function: "f", payload: { x: EVIL } },
      "ec2.prune-images": { tags: { app: EVIL }, olderThanDays: 7, keep: 3 },
    };
    for (const [kind, params] of Object.entries(evil)) {
      const lines = STEP_KINDS.get(kind)?.manual?.(params, R) ?? [];
      for (const line of lines) {
        // Only drctl's own substitutions run: `aws ...` and `date ...`, never the data's $(id).
        const subs = (function all(l: string): string[] {
          const p = parseShell(l);
          return [...p.substitutions, ...p.substitutions.flatMap(all)];
        })(line);
        for (const s of subs) expect(s, `${kind}: ${line}`).toMatch(/^(aws|date) /);
        // The data stays one word: it never splits into a `touch` command of its own.
        expect(
          words(line).some((w) => w.text === "touch"),
          `${kind}: ${line}`,
        ).toBe(false);
        // A newline in data stays inside its quotes or comment: it never starts an `rm` command.
        expect(
          words(line).some((w) => w.text === "rm"),
          `${kind}: ${line}`,
        ).toBe(false);
      }
      const all = lines.flatMap(words).map((w) => w.text);
      // As it was, or escaped for the JSON or JMESPath literal it sits in.
      const escaped = JSON.stringify(EVIL).slice(1, -1);
      const forms = [EVIL, escaped, escaped.replace(/`/g, "\\`")];
      if (kind !== "approval")
        expect(
          all.some((w) => forms.some((f) => w.includes(f))),
          kind,
        ).toBe(true);
    }
  });

  it("prints a value from AWS in a command inside double quotes, data beside it single-quoted", () => {
    const w = word("Name=DBInstanceIdentifier,Value=", output("aws rds describe-db-instances --query x"));
    expect(sh(w)).toBe('Name=DBInstanceIdentifier,Value="$(aws rds describe-db-instances --query x)"');
    expect(sh(word("it's ", code("$X")))).toBe(`'it'\\''s '"$X"`);
    expect(parseShell(`echo ${sh(word("it's ", code("$X")))}`).commands[0]?.[1]).toEqual({
      text: "it's \u0000",
      dynamic: true,
    });
  });
});

describe("a runbook by hand", () => {
  it("resolves references: an output later steps take is read by the command that prints it, or kept from before its step", () => {
    const { runbook } = loadRunbook(STEP_KINDS, "examples/warm-standby/failover.yaml");
    const lines = manualSteps(runbook, STEP_KINDS);
    // The capacity before the failover is read before the step that changes it.
    expect(lines.get("scale-standby")?.[0]).toBe(
      "SCALE_STANDBY_PREVIOUSDESIRED=$(aws autoscaling describe-auto-scaling-groups --region us-west-2 --auto-scaling-group-names web --query 'AutoScalingGroups[0].DesiredCapacity' --output text)",
    );
    const mark = lines.get("mark-active") ?? [];
    expect(mark).toContain(
      `printf '%s' "$(aws rds describe-db-instances --region us-west-2 --db-instance-identifier app-db-replica --query 'DBInstances[0].Endpoint.Address' --output text)" | aws ssm put-parameter --region us-west-2 --name /app/db/endpoint --overwrite --value file:///dev/stdin`,
    );
    expect(mark).toContain(
      `printf '%s' "$SCALE_STANDBY_PREVIOUSDESIRED" | aws ssm put-parameter --region us-west-2 --name /app/web/capacity-before-failover --overwrite --value file:///dev/stdin`,
    );
    const all = [...lines.values()].flat();
    expect(checkCommands(all).issues).toEqual([]);
    expect(all.join("\n")).not.toMatch(
      /<[a-zA-Z]+ of step|NOW-15MIN|file:\/\/change\.json|ZONE-ID|set it by hand/,
    );
  });
});

describe("a command step by hand", () => {
  it("passes values as quoted assignments before the command (never in argv), and the script as one word: no value is read as code", () => {
    expect(manualCommand('echo "$NAME"', { NAME: "web-1; touch /tmp/x" })).toBe(
      `NAME='web-1; touch /tmp/x' sh -c 'echo "$NAME"'`,
    );
    expect(manualCommand(["aws", "s3", "ls", "s3://a b"], {})).toBe(`aws s3 ls 's3://a b'`);
    // A SecureString is read when the line runs, into the variable: never printed, never in argv.
    expect(manualCommand("run", { PIN: output("aws ssm get-parameter") })).toBe(
      `PIN="$(aws ssm get-parameter)" sh -c run`,
    );
  });
});
