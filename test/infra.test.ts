import { STEP_KINDS } from "../src/catalog.js";
import { Template, Match } from "aws-cdk-lib/assertions";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../infra/app.js";
import { freshnessReadActions, planReadActions, readActions, runbookGrants } from "../infra/permissions.js";
import { loadRunbook, type LoadedRunbook } from "../src/runbook/load.js";
import { parse as parseYaml } from "yaml";
import { CHANGE_SOURCES, CHANGE_VERBS, changeEventPatterns } from "../infra/changes.js";
import { batchFanOut } from "../infra/fanout.js";
import { parseYamlWithSchema } from "../src/config/load.js";
import { configSchemaFor } from "../src/config/schema.js";
import { ruleIds } from "../src/catalog.js";

/** A webhook URL is a credential: it must reach no template, no environment. */
const WEBHOOK = "https://hooks.example.com/services/T0001/B0002/pr1vate-t0ken";
let template: Template;
let runbooks: LoadedRunbook[];
let templateFile: string;
let codeDir: string;

interface State {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Variable: string; StringEquals: string; Next: string }[];
  Retry?: { ErrorEquals: string[]; MaxAttempts: number }[];
  Catch?: { Next: string }[];
  ItemProcessor?: { ProcessorConfig: { Mode: string }; States: Record<string, State> };
  MaxConcurrency?: number;
}

/** The state machine whose definition starts at `startAt`, parsed (ARNs replaced by "ARN"). */
function definition(startAt: string): { StartAt: string; States: Record<string, State> } {
  const machines = template.findResources("AWS::StepFunctions::StateMachine") as Record<
    string,
    { Properties: { DefinitionString: unknown } }
  >;
  // The definition is a Fn::Join of text and ARNs: put placeholders in for the ARNs and parse it.
  const parsed = Object.values(machines).map((m) => {
    const parts = (m.Properties.DefinitionString as { "Fn::Join": [string, unknown[]] })["Fn::Join"][1];
    return JSON.parse(parts.map((p) => (typeof p === "string" ? p : "ARN")).join("")) as {
      StartAt: string;
      States: Record<string, State>;
    };
  });
  const found = parsed.find((d) => d.StartAt === startAt);
  if (!found) throw new Error(`no state machine starts at ${startAt}`);
  return found;
}

/** The actions granted to the function whose handler is `handler`. */
function actionsOf(handler: string): string[] {
  const functions = template.findResources("AWS::Lambda::Function") as Record<
    string,
    { Properties: { Handler: string; Role: { "Fn::GetAtt": [string, string] } } }
  >;
  const role = Object.values(functions).find((f) => f.Properties.Handler === `handlers.${handler}`)
    ?.Properties.Role["Fn::GetAtt"][0];
  const policies = template.findResources("AWS::IAM::Policy") as Record<
    string,
    {
      Properties: {
        Roles: { Ref: string }[];
        PolicyDocument: { Statement: { Action: string | string[] }[] };
      };
    }
  >;
  return Object.values(policies)
    .filter((p) => p.Properties.Roles.some((r) => r.Ref === role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((st) => st.Action));
}

/** A template value as text: Refs as <Name>, joins joined. */
function render(v: unknown): string {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map(render).join(",");
  const o = v as Record<string, unknown>;
  if (typeof o.Ref === "string") return `<${o.Ref}>`;
  const join = o["Fn::Join"] as [string, unknown[]] | undefined;
  if (join) return join[1].map(render).join(join[0]);
  const att = o["Fn::GetAtt"] as string[] | undefined;
  if (att) return `<${att.join(".")}>`;
  return JSON.stringify(v);
}

/** The statements granted to the function whose handler is `handler`, rendered as text. */
function statementsOf(handler: string): { actions: string[]; resources: string[]; condition?: unknown }[] {
  const functions = template.findResources("AWS::Lambda::Function") as Record<
    string,
    { Properties: { Handler: string; Role: { "Fn::GetAtt": [string, string] } } }
  >;
  const role = Object.values(functions).find((f) => f.Properties.Handler === `handlers.${handler}`)
    ?.Properties.Role["Fn::GetAtt"][0];
  const policies = template.findResources("AWS::IAM::Policy") as Record<
    string,
    {
      Properties: {
        Roles: { Ref: string }[];
        PolicyDocument: {
          Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[];
        };
      };
    }
  >;
  return Object.values(policies)
    .filter((p) => p.Properties.Roles.some((r) => r.Ref === role))
    .flatMap((p) =>
      p.Properties.PolicyDocument.Statement.map((st) => ({
        actions: [st.Action].flat(),
        resources: [st.Resource].flat().map(render),
        ...(st.Condition ? { condition: st.Condition } : {}),
      })),
    );
}

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "drctl-infra-"));
  const configFile = join(dir, "drctl.yaml");
  writeFileSync(
    configFile,
    [
      "accounts:",
      '  "222222222222":',
      "    roleArn: arn:aws:iam::222222222222:role/drctl-read",
      "notify:",
      "  email:",
      "    transport: ses",
      "    from: drctl@example.com",
      "    to: [oncall@example.com]",
      "    ses: { region: eu-west-1 }",
      "  webhook:",
      `    url: ${WEBHOOK}`,
      "triggers:",
      "  - alarms: [web-primary-*]",
      "    runbook: runbooks/failover.yaml",
      "    approvalTimeoutMinutes: 240",
      "schedules:",
      "  - name: daily-images",
      "    runbook: runbooks/daily.yaml",
      "    cron: cron(0 2 * * ? *)",
      "    set: { group: web }",
      "",
    ].join("\n"),
  );
  mkdirSync(join(dir, "runbooks"));
  copyFileSync("examples/warm-standby/failover.yaml", join(dir, "runbooks", "failover.yaml"));
  copyFileSync("examples/images/daily.yaml", join(dir, "runbooks", "daily.yaml"));
  runbooks = [
    loadRunbook(STEP_KINDS, join(dir, "runbooks", "failover.yaml")),
    loadRunbook(STEP_KINDS, join(dir, "runbooks", "daily.yaml"), { group: "web" }),
  ];
  const {
    app,
    stack,
    codeDir: code,
  } = buildApp({
    configFile,
    schedule: "cron(0 6 * * ? *)",
    outdir: join(dir, "cdk.out"),
  });
  codeDir = code;
  // cdk-nag runs as a validation plugin: synth throws if any finding is neither fixed nor acknowledged.
  const assembly = app.synth();
  templateFile = assembly.getStackArtifact(stack.artifactId).templateFullPath;
  template = Template.fromStack(stack);
}, 120_000);

describe("the CDK app", () => {
  it("synthesizes with every cdk-nag AwsSolutions finding fixed or acknowledged with a reason", () => {
    expect(templateFile).toMatch(/Drctl\.template\.json$/);
  });

  it("passes cfn-lint", () => {
    const lint = spawnSync("cfn-lint", [templateFile], { encoding: "utf8" });
    expect(lint.error, "cfn-lint must be installed (python3 -m pip install cfn-lint)").toBeUndefined();
    expect(lint.stdout + lint.stderr).toBe("");
    expect(lint.status).toBe(0);
  });

  it("keeps the history in DynamoDB with the documented keys and TTL", () => {
    template.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      KeySchema: [
        { AttributeName: "PK", KeyType: "HASH" },
        { AttributeName: "SK", KeyType: "RANGE" },
      ],
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    });
  });

  it("keeps every bucket private and encrypted, with TLS enforced", () => {
    const buckets = template.findResources("AWS::S3::Bucket") as Record<
      string,
      { Properties: Record<string, unknown> }
    >;
    expect(Object.keys(buckets)).toHaveLength(3);
    for (const b of Object.values(buckets)) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.AccessControl).toBeUndefined();
    }
    template.resourcePropertiesCountIs(
      "AWS::S3::BucketPolicy",
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Condition: { Bool: { "aws:SecureTransport": "false" } }, Effect: "Deny" }),
          ]),
        },
      },
      3,
    );
  });

  it("runs plan, a distributed map of batches with retry and catch, then aggregate, on the schedule", () => {
    const scan = definition("Plan pairs");
    expect(scan.States["Plan pairs"]?.Next).toBe("Scan batches");
    const map = scan.States["Scan batches"];
    expect(map?.ItemProcessor?.ProcessorConfig.Mode).toBe("DISTRIBUTED");
    expect(map?.Next).toBe("Aggregate and store");
    expect(scan.States["Aggregate and store"]?.Next).toBe("Measure freshness");
    expect(scan.States["Measure freshness"]?.Next).toBe("Publish the report site");
    expect(scan.States["Publish the report site"]?.Next).toBe("Send notifications");
    const batch = map?.ItemProcessor?.States["Scan batch"];
    expect(batch?.Retry).toContainEqual(
      expect.objectContaining({ ErrorEquals: ["States.ALL"], MaxAttempts: 2 }),
    );
    expect(batch?.Catch?.map((c) => c.Next)).toEqual(["Batch failed"]);
    template.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "cron(0 6 * * ? *)" });
    template.resourceCountIs("AWS::Lambda::Function", 9);
    template.allResourcesProperties("AWS::Lambda::Function", {
      Runtime: "nodejs24.x",
      TracingConfig: { Mode: "Active" },
    });
  });

  it("grants the scan exactly the read actions its collectors declare, and roles only those configured", () => {
    const policies = JSON.stringify(template.findResources("AWS::IAM::Policy"));
    for (const action of readActions()) expect(policies).toContain(`"${action}"`);
    expect(policies).not.toMatch(/"elasticloadbalancing:(Create|Delete|Modify)/);
    // Only the failover function may change things, and only what its runbooks' steps do.
    for (const handler of ["planHandler", "scanBatchHandler", "aggregateHandler", "alarmHandler"]) {
      expect(actionsOf(handler).length, handler).toBeGreaterThan(0);
      expect(
        actionsOf(handler).filter(
          (a) =>
            /:(Update|Promote|Change|Put|Revoke)/.test(a) &&
            !a.startsWith("dynamodb:") &&
            !a.startsWith("s3:") &&
            !a.startsWith("xray:"),
        ),
      ).toEqual([]);
    }
    expect(policies).toContain('"arn:aws:iam::222222222222:role/drctl-read"');
    expect(policies).toMatch(/ses:eu-west-1:/);
  });

  it("runs triggered failover as a workflow of turns, started by alarms through an encrypted topic", () => {
    const failover = definition("Advance the run");
    const turn = failover.States["Advance the run"];
    expect(turn?.Next).toBe("Where is the run?");
    expect(turn?.Retry).toContainEqual(
      expect.objectContaining({ ErrorEquals: ["States.ALL"], MaxAttempts: 3 }),
    );
    const where = failover.States["Where is the run?"];
    expect(where?.Choices?.map((c) => [c.Variable, c.StringEquals, c.Next])).toEqual([
      ["$.progress.status", "running", "Let steps progress"],
      ["$.progress.status", "awaiting-approval", "Wait for approval"],
      ["$.progress.status", "succeeded", "Run succeeded"],
    ]);
    expect(where?.Default).toBe("Run failed or refused");
    for (const wait of ["Let steps progress", "Wait for approval"])
      expect(failover.States[wait]).toMatchObject({ Type: "Wait", Next: "Advance the run" });
    expect(failover.States["Run failed or refused"]?.Type).toBe("Fail");

    template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties("AWS::SNS::Subscription", { Protocol: "lambda" });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Handler: "handlers.alarmHandler",
      Environment: { Variables: Match.objectLike({ DRCTL_FAILOVER_STATE_MACHINE: Match.anyValue() }) },
    });
    expect(actionsOf("alarmHandler")).toContain("states:StartExecution");
    template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        detail: { alarmName: [{ wildcard: "web-primary-*" }], state: { value: ["ALARM"] } },
      },
    });
    // The runbook's step kinds, and the journal: nothing for step kinds it does not use.
    const advance = actionsOf("advanceHandler");
    for (const action of [
      "rds:PromoteReadReplica",
      "autoscaling:UpdateAutoScalingGroup",
      "route53:ChangeResourceRecordSets",
      "ssm:PutParameter",
      "dynamodb:UpdateItem",
    ])
      expect(advance).toContain(action);
    expect(advance).not.toContain("globalaccelerator:UpdateEndpointGroup");
    expect(existsSync(join(codeDir, "runbooks", "runbooks", "failover.yaml"))).toBe(true);
  });

  it("grants the failover function each mutating action of its runbooks only on the resources they name", () => {
    const granted = statementsOf("advanceHandler");
    const pairs = (gs: { actions: string[]; resources: string[] }[]) =>
      gs.flatMap((g) => g.actions.flatMap((a) => g.resources.map((r) => `${a} ${r}`))).sort();
    const expected = runbookGrants(runbooks, { partition: "<AWS::Partition>", account: "<AWS::AccountId>" });
    // What the runbook names, as the template grants it (the journal's table and tracing are granted apart).
    const runbookStatements = granted.filter(
      (g) => !g.actions.every((a) => a.startsWith("dynamodb:") || a.startsWith("xray:")),
    );
    expect(pairs(runbookStatements)).toEqual(pairs(expected));
    expect(pairs(expected)).toEqual(
      expect.arrayContaining([
        "autoscaling:UpdateAutoScalingGroup arn:<AWS::Partition>:autoscaling:us-west-2:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/web",
        "autoscaling:UpdateAutoScalingGroup arn:<AWS::Partition>:autoscaling:us-east-1:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/web",
        "rds:PromoteReadReplica arn:<AWS::Partition>:rds:us-west-2:<AWS::AccountId>:db:app-db-replica",
        "ssm:PutParameter arn:<AWS::Partition>:ssm:us-west-2:<AWS::AccountId>:parameter/app/region/role",
        "ssm:PutParameter arn:<AWS::Partition>:ssm:us-west-2:<AWS::AccountId>:parameter/app/db/endpoint",
        "ssm:PutParameter arn:<AWS::Partition>:ssm:us-west-2:<AWS::AccountId>:parameter/app/web/capacity-before-failover",
        "route53:ChangeResourceRecordSets arn:<AWS::Partition>:route53:::hostedzone/*",
      ]),
    );
    // Record changes are limited to the names the runbook changes.
    expect(granted.find((g) => g.actions.includes("route53:ChangeResourceRecordSets"))?.condition).toEqual({
      "ForAllValues:StringEquals": {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["app.example.com"],
      },
    });
    // On "*": only what has no resource-level permissions (reads), and KMS through SSM alone.
    const anywhere = runbookStatements.filter((g) => g.resources.includes("*"));
    for (const g of anywhere)
      for (const a of g.actions)
        expect(
          /:(Describe|List|Get)/.test(a) ||
            (a.startsWith("kms:") && JSON.stringify(g.condition).includes("kms:ViaService")),
          a,
        ).toBe(true);
    expect(granted.flatMap((g) => g.actions)).not.toContain("sns:Publish");
    expect(granted.flatMap((g) => g.actions)).not.toContain("ses:SendEmail");
  });

  it("deploys each schedule as an EventBridge rule that gives its firings to the trigger function, which starts them in the failover workflow", () => {
    const rules = template.findResources("AWS::Events::Rule", {
      Properties: { ScheduleExpression: "cron(0 2 * * ? *)" },
    }) as Record<
      string,
      {
        Properties: {
          Targets: {
            Arn: { "Fn::GetAtt": [string, string] };
            InputTransformer: { InputTemplate: string; InputPathsMap: Record<string, string> };
          }[];
        };
      }
    >;
    const rule = Object.values(rules)[0];
    expect(Object.keys(rules)).toHaveLength(1);
    const target = rule?.Properties.Targets[0];
    const functions = template.findResources("AWS::Lambda::Function") as Record<
      string,
      { Properties: { Handler: string } }
    >;
    expect(functions[target?.Arn["Fn::GetAtt"][0] ?? ""]?.Properties.Handler).toBe("handlers.alarmHandler");
    expect(Object.values(target?.InputTransformer.InputPathsMap ?? {}).sort()).toEqual(["$.id", "$.time"]);
    expect(target?.InputTransformer.InputTemplate).toMatch(
      /^\{"drctl-schedule":"daily-images","time":<[^>]+>,"id":<[^>]+>\}$/,
    );
    expect(existsSync(join(codeDir, "runbooks", "runbooks", "daily.yaml"))).toBe(true);
  });

  it("scopes the image steps' grants: images and snapshots by their tags, instances by their group, keys through EC2", () => {
    const granted = statementsOf("advanceHandler");
    const on = (action: string) => granted.filter((g) => g.actions.includes(action));
    expect(on("ec2:CreateImage")).toEqual(
      expect.arrayContaining([
        {
          actions: ["ec2:CreateImage"],
          resources: ["arn:<AWS::Partition>:ec2:us-east-1:<AWS::AccountId>:instance/*"],
          condition: { StringEquals: { "ec2:ResourceTag/aws:autoscaling:groupName": "web" } },
        },
        {
          actions: ["ec2:CreateImage"],
          resources: [
            "arn:<AWS::Partition>:ec2:us-east-1::image/*",
            "arn:<AWS::Partition>:ec2:us-east-1::snapshot/*",
          ],
          condition: {
            StringEquals: { "aws:RequestTag/app": "web", "aws:RequestTag/lifecycle": "web-daily" },
          },
        },
      ]),
    );
    // The copy must carry its tags; the source is the image of the primary region.
    expect(on("ec2:CopyImage")).toHaveLength(2);
    expect(on("ec2:CopyImage")).toEqual(
      expect.arrayContaining([
        {
          actions: ["ec2:CopyImage"],
          resources: [
            "arn:<AWS::Partition>:ec2:us-east-1::image/*",
            "arn:<AWS::Partition>:ec2:us-east-1::snapshot/*",
          ],
        },
        {
          actions: ["ec2:CopyImage"],
          resources: [
            "arn:<AWS::Partition>:ec2:us-west-2::image/*",
            "arn:<AWS::Partition>:ec2:us-west-2::snapshot/*",
          ],
          condition: {
            StringEquals: {
              "aws:RequestTag/environment": "dr",
              "aws:RequestTag/drctl:source-region": "us-east-1",
            },
          },
        },
      ]),
    );
    for (const action of ["ec2:DeregisterImage", "ec2:DeleteSnapshot"])
      for (const g of on(action))
        expect(g.condition, action).toEqual({ StringEquals: { "ec2:ResourceTag/lifecycle": "web-daily" } });
    expect(
      on("ec2:DeregisterImage")
        .flatMap((g) => g.resources)
        .sort(),
    ).toEqual(["arn:<AWS::Partition>:ec2:us-east-1::image/*", "arn:<AWS::Partition>:ec2:us-west-2::image/*"]);
    // Tags only as part of creating an image, or the mark of a prune on snapshots.
    for (const g of on("ec2:CreateTags"))
      expect(JSON.stringify(g.condition)).toMatch(
        /"ec2:CreateAction":"(CreateImage|CopyImage)"|"aws:TagKeys":\["drctl:pruned-image"\]/,
      );
    for (const g of on("kms:CreateGrant"))
      expect(g.condition).toEqual({
        StringEquals: { "kms:ViaService": ["ec2.us-west-2.amazonaws.com", "ec2.us-east-1.amazonaws.com"] },
      });
  });

  it("logs the workflows without their states' data, and keeps the webhook URL in Secrets Manager, read by the notify function only", () => {
    const machines = template.findResources("AWS::StepFunctions::StateMachine") as Record<
      string,
      { Properties: { LoggingConfiguration: { Level: string; IncludeExecutionData: boolean } } }
    >;
    expect(Object.values(machines).map((m) => m.Properties.LoggingConfiguration)).toEqual([
      expect.objectContaining({ Level: "ALL", IncludeExecutionData: false }),
      expect.objectContaining({ Level: "ALL", IncludeExecutionData: false }),
    ]);
    expect(JSON.stringify(template.toJSON())).not.toContain("pr1vate-t0ken");
    template.resourceCountIs("AWS::SecretsManager::Secret", 1);
    template.hasResourceProperties("AWS::Lambda::Function", {
      Handler: "handlers.notifyHandler",
      Environment: {
        Variables: Match.objectLike({
          DRCTL_WEBHOOK_SECRET: Match.anyValue(),
          DRCTL_WEBHOOK_FORMAT: "slack",
        }),
      },
    });
    expect(actionsOf("notifyHandler")).toContain("secretsmanager:GetSecretValue");
    for (const handler of ["planHandler", "scanBatchHandler", "advanceHandler", "alarmHandler"])
      expect(actionsOf(handler), handler).not.toContain("secretsmanager:GetSecretValue");
  });

  it("deploys the workflow for schedules alone, with no alarm rule", () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-infra-"));
    mkdirSync(join(dir, "runbooks"));
    copyFileSync("examples/images/daily.yaml", join(dir, "runbooks", "daily.yaml"));
    const configFile = join(dir, "drctl.yaml");
    writeFileSync(
      configFile,
      "schedules:\n  - { name: daily, runbook: runbooks/daily.yaml, cron: cron(0 2 * * ? *) }\n",
    );
    const { stack } = buildApp({ configFile, outdir: join(dir, "cdk.out") });
    expect(stack.failover).toBeDefined();
    const t = Template.fromStack(stack);
    t.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "cron(0 2 * * ? *)" });
    expect(
      Object.keys(
        t.findResources("AWS::Events::Rule", {
          Properties: { EventPattern: { detail: { alarmName: Match.anyValue() } } },
        }),
      ),
    ).toEqual([]);
  });

  it("deploys no failover part, and so no write permissions, without triggers", () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-infra-"));
    const configFile = join(dir, "drctl.yaml");
    writeFileSync(configFile, "strategy: pilot-light\n");
    const { stack } = buildApp({ configFile, outdir: join(dir, "cdk.out") });
    expect(stack.failover).toBeUndefined();
    const t = Template.fromStack(stack);
    t.resourceCountIs("AWS::Lambda::Function", 7);
    // No accounts in drctl.yaml: no other account may put events on the bus.
    t.resourceCountIs("AWS::Events::EventBusPolicy", 0);
  });

  it("measures freshness after the scan; its failure never holds back the scan's report and email, and fails the execution last", () => {
    const scan = definition("Plan pairs");
    const measure = scan.States["Measure freshness"];
    expect(measure?.Retry).toContainEqual(expect.objectContaining({ ErrorEquals: ["States.ALL"] }));
    expect(measure?.Catch?.map((c) => c.Next)).toEqual(["Publish the report site"]);
    expect(scan.States["Send notifications"]?.Next).toBe("Was freshness measured?");
    const choice = scan.States["Was freshness measured?"] as State & {
      Choices: { Variable: string; IsPresent?: boolean; IsString?: boolean; Next: string }[];
    };
    expect(choice.Choices.map((c) => [c.Variable, c.Next])).toEqual([
      ["$.freshness.runId", "Send freshness notifications"],
    ]);
    expect(choice.Default).toBe("Did every part finish?");
    expect(scan.States["Send freshness notifications"]?.Next).toBe("Did every part finish?");
    const verdict = scan.States["Did every part finish?"] as typeof choice;
    expect(verdict.Choices.map((c) => [c.Variable, c.Next])).toEqual([
      ["$.freshnessFailure", "Freshness could not be measured"],
      ["$.plansFailure", "The DR plans could not be written"],
    ]);
    expect(scan.States["Freshness could not be measured"]?.Type).toBe("Fail");
    expect(verdict.Default).toBe("Done");
  });

  it("writes each application's DR plan after freshness, reading only, and bundles its runbooks without granting their actions", () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-infra-"));
    const configFile = join(dir, "drctl.yaml");
    mkdirSync(join(dir, "runbooks"));
    copyFileSync("examples/warm-standby/failover.yaml", join(dir, "runbooks", "failover.yaml"));
    writeFileSync(
      configFile,
      "applications:\n  - name: web\n    runbooks: { failover: runbooks/failover.yaml }\n",
    );
    const { stack, codeDir: code } = buildApp({ configFile, outdir: join(dir, "cdk.out") });
    expect(existsSync(join(code, "runbooks", "runbooks", "failover.yaml"))).toBe(true);
    const t = Template.fromStack(stack);
    expect(stack.failover).toBeUndefined();
    const machines = t.findResources("AWS::StepFunctions::StateMachine");
    const text = JSON.stringify(machines);
    expect(text).toContain("Write the DR plans");
    const policies = Object.values(t.findResources("AWS::IAM::Policy")) as {
      Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } };
    }[];
    const actions = policies.flatMap((p) =>
      p.Properties.PolicyDocument.Statement.flatMap((st) => [st.Action].flat()),
    );
    for (const a of planReadActions()) expect(actions).toContain(a);
    // The runbook's own mutating actions are granted to nothing: no failover part is deployed.
    expect(actions).not.toContain("rds:PromoteReadReplica");
    expect(actions).not.toContain("autoscaling:UpdateAutoScalingGroup");
  });

  it("grants freshness the reads its store types declare, puts metrics only in its own namespace, and writes nothing else", () => {
    const statements = statementsOf("freshnessHandler");
    const actions = statements.flatMap((st) => st.actions);
    for (const action of freshnessReadActions()) expect(actions).toContain(action);
    expect(
      actions.filter((a) => !/:(Describe|List|Get|BatchGet|Query)/.test(a) && !a.startsWith("xray:")),
    ).toEqual(expect.arrayContaining(["cloudwatch:PutMetricData", "sts:AssumeRole", "dynamodb:PutItem"]));
    expect(
      actions.filter((a) => !/:(Describe|List|Get|BatchGet|Query)/.test(a) && !a.startsWith("xray:")),
    ).toHaveLength(3);
    expect(statements.find((st) => st.actions.includes("cloudwatch:PutMetricData"))?.condition).toEqual({
      StringEquals: { "cloudwatch:namespace": "drctl" },
    });
  });

  it("deploys no freshness part with freshness.scheduled: false", () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-infra-"));
    const configFile = join(dir, "drctl.yaml");
    writeFileSync(configFile, "freshness:\n  scheduled: false\n");
    const { stack } = buildApp({ configFile, outdir: join(dir, "cdk.out") });
    const t = Template.fromStack(stack);
    t.resourceCountIs("AWS::Lambda::Function", 6);
    expect(JSON.stringify(t.toJSON())).not.toContain("freshnessHandler");
  });

  it("sizes the map of batches from the rate limits: 2 at once (ELBv2's burst of 40 over 16 pairs a batch), each batch held to half of every rate", () => {
    const map = definition("Plan pairs").States["Scan batches"];
    expect(map?.MaxConcurrency).toBe(2);
    template.hasOutput("ScanBatchConcurrency", { Value: "2" });
    const configOf = (handler: string) => {
      const functions = template.findResources("AWS::Lambda::Function", {
        Properties: { Handler: `handlers.${handler}` },
      }) as Record<string, { Properties: { Environment: { Variables: { DRCTL_CONFIG: string } } } }>;
      const [fn] = Object.values(functions);
      return parseYaml(fn?.Properties.Environment.Variables.DRCTL_CONFIG ?? "") as {
        rateLimits?: Record<string, { perSecond: number; burst: number }>;
        accounts?: unknown;
      };
    };
    const limits = configOf("scanBatchHandler").rateLimits ?? {};
    expect(limits.ELBv2).toEqual({ perSecond: 5, burst: 20 });
    expect(limits.Route53).toEqual({ perSecond: 2.5, burst: 5 });
    expect(limits.EC2).toEqual({ perSecond: 10, burst: 50 });
    // Services without a published rate get a share of the fallback's.
    expect(limits.SQS).toEqual({ perSecond: 5, burst: 10 });
    // The rest of drctl.yaml is the batch function's as everyone's; only the batches share rates.
    expect(configOf("scanBatchHandler").accounts).toEqual(configOf("planHandler").accounts);
    expect(configOf("planHandler").rateLimits).toBeUndefined();
  });

  it("gives the scan's services' write calls and alarm state changes to the changes function, which may only write to the history table", () => {
    const rules = template.findResources("AWS::Events::Rule", {
      Properties: { EventPattern: { "detail-type": ["AWS API Call via CloudTrail"] } },
    }) as Record<
      string,
      { Properties: { EventPattern: Record<string, unknown>; Targets: { Arn: unknown }[] } }
    >;
    expect(Object.keys(rules)).toHaveLength(1);
    const [apiCalls] = Object.values(rules);
    // The pattern the forwarding rules of docs/fleet.md use too.
    expect(apiCalls?.Properties.EventPattern).toEqual(changeEventPatterns().apiCalls);
    expect(apiCalls?.Properties.EventPattern).toEqual({
      source: [...CHANGE_SOURCES],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: {
        eventName: CHANGE_VERBS.map((prefix) => ({ prefix })),
        errorCode: [{ exists: false }],
      },
    });
    expect(CHANGE_SOURCES).toEqual(
      expect.arrayContaining(["aws.elasticloadbalancing", "aws.route53", "aws.tag", "aws.kafka"]),
    );
    expect(CHANGE_SOURCES).toHaveLength(14);
    // Every kind of write a compared setting changes through: subscriptions, suspended processes, promotions...
    expect(CHANGE_VERBS).toHaveLength(39);
    expect(CHANGE_VERBS).toEqual(
      expect.arrayContaining(["Subscribe", "Suspend", "Promote", "Restore", "Publish"]),
    );
    const functions = template.findResources("AWS::Lambda::Function", {
      Properties: { Handler: "handlers.changesHandler" },
    });
    const [changesId] = Object.keys(functions);
    expect(apiCalls?.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { "Fn::GetAtt": [changesId, "Arn"] } }),
    ]);
    const alarms = template.findResources("AWS::Events::Rule", {
      Properties: {
        EventPattern: { source: ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"] },
      },
    }) as Record<
      string,
      { Properties: { EventPattern: Record<string, unknown>; Targets: { Arn: unknown }[] } }
    >;
    // Every alarm's changes (the failover trigger's rule names only its alarms, in ALARM).
    const allAlarms = Object.values(alarms).filter((r) => r.Properties.EventPattern.detail === undefined);
    expect(allAlarms.map((r) => r.Properties.Targets)).toEqual([
      [expect.objectContaining({ Arn: { "Fn::GetAtt": [changesId, "Arn"] } })],
    ]);
    // Certificates ACM renews (no API call), rotates, revokes or lets expire.
    const certificates = Object.values(
      template.findResources("AWS::Events::Rule", {
        Properties: { EventPattern: { source: ["aws.acm"] } },
      }) as Record<string, { Properties: { EventPattern: unknown; Targets: { Arn: unknown }[] } }>,
    );
    expect(certificates.map((r) => r.Properties.EventPattern)).toEqual([changeEventPatterns().certificates]);
    expect(certificates.map((r) => r.Properties.Targets)).toEqual([
      [expect.objectContaining({ Arn: { "Fn::GetAtt": [changesId, "Arn"] } })],
    ]);
    const tableId = Object.keys(template.findResources("AWS::DynamoDB::GlobalTable"))[0];
    const writes = statementsOf("changesHandler").filter(
      (st) => !st.actions.every((a) => a.startsWith("xray:")),
    );
    expect(writes).toEqual([
      { actions: ["dynamodb:BatchWriteItem", "dynamodb:PutItem"], resources: [`<${tableId}.Arn>`] },
    ]);
    template.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      Principal: "events.amazonaws.com",
      FunctionName: { "Fn::GetAtt": [changesId, "Arn"] },
    });
  });

  it("lets the accounts drctl.yaml reads forward their changes to the default bus, and no others", () => {
    const policies = template.findResources("AWS::Events::EventBusPolicy") as Record<
      string,
      { Properties: { EventBusName: string; Statement: { Principal: { AWS: unknown[] }; Action: string } } }
    >;
    const [policy] = Object.values(policies);
    expect(Object.keys(policies)).toHaveLength(1);
    expect(policy?.Properties.EventBusName).toBe("default");
    expect(policy?.Properties.Statement.Action).toBe("events:PutEvents");
    expect(policy?.Properties.Statement.Principal.AWS.map(render)).toEqual([
      "arn:<AWS::Partition>:iam::222222222222:root",
    ]);

    const dir = mkdtempSync(join(tmpdir(), "drctl-infra-"));
    const configFile = join(dir, "drctl.yaml");
    writeFileSync(configFile, "scan:\n  concurrency: 4\n");
    const { stack } = buildApp({
      configFile,
      outdir: join(dir, "cdk.out"),
      changeAccounts: ["333333333333", "444444444444"],
    });
    const t = Template.fromStack(stack);
    const [other] = Object.values(t.findResources("AWS::Events::EventBusPolicy")) as (typeof policy)[];
    expect(other?.Properties.Statement.Principal.AWS.map(render)).toEqual([
      "arn:<AWS::Partition>:iam::333333333333:root",
      "arn:<AWS::Partition>:iam::444444444444:root",
    ]);
    // 4 pairs a batch: ELBv2's burst of 40 allows 10 batches, each at 1 call/s.
    expect(stack.scanFanOut).toBe(10);
    t.hasOutput("ScanBatchConcurrency", { Value: "10" });
  });
});

describe("the batch function's configuration", () => {
  const fanOut = (text: string) =>
    batchFanOut(parseYamlWithSchema(text, "drctl.yaml", configSchemaFor(ruleIds())), text);

  it("keeps drctl.yaml and puts each batch's share over its rates, raised limits included", () => {
    const text = "strategy: warm-standby\nrateLimits:\n  ELBv2: { perSecond: 20, burst: 80 }\n";
    const fan = fanOut(text);
    // 80 / 16 = 5 batches; the smallest burst of a service read (Route 53's 10) allows them.
    expect(fan.maxConcurrency).toBe(5);
    const config = parseYamlWithSchema(fan.configText, "batch", configSchemaFor(ruleIds()));
    expect(config.strategy).toBe("warm-standby");
    expect(config.rateLimits).toMatchObject({
      ELBv2: { perSecond: 4, burst: 16 },
      Route53: { perSecond: 1, burst: 2 },
    });
  });

  it("leaves rateLimits: off as it is (an emulator), with the fan-out AWS's rates allow", () => {
    const fan = fanOut("rateLimits: off\n");
    expect(fan.configText).toBe("rateLimits: off\n");
    expect(fan.maxConcurrency).toBe(2);
  });
});
