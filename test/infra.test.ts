import { Template, Match } from "aws-cdk-lib/assertions";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../infra/app.js";
import { readActions } from "../infra/permissions.js";

let template: Template;
let templateFile: string;

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
      "",
    ].join("\n"),
  );
  const { app, stack } = buildApp({
    configFile,
    schedule: "cron(0 6 * * ? *)",
    outdir: join(dir, "cdk.out"),
  });
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
    const machines = template.findResources("AWS::StepFunctions::StateMachine") as Record<
      string,
      { Properties: { DefinitionString: unknown } }
    >;
    // The definition is a Fn::Join of text and ARNs: put placeholders in for the ARNs and parse it.
    const parts = (
      Object.values(machines)[0]?.Properties.DefinitionString as { "Fn::Join": [string, unknown[]] }
    )["Fn::Join"][1];
    const definition = JSON.parse(parts.map((p) => (typeof p === "string" ? p : "ARN")).join("")) as {
      StartAt: string;
      States: Record<
        string,
        {
          Next?: string;
          ItemProcessor?: {
            ProcessorConfig: { Mode: string };
            States: Record<
              string,
              { Retry?: { ErrorEquals: string[]; MaxAttempts: number }[]; Catch?: { Next: string }[] }
            >;
          };
        }
      >;
    };
    expect(definition.StartAt).toBe("Plan pairs");
    expect(definition.States["Plan pairs"]?.Next).toBe("Scan batches");
    const map = definition.States["Scan batches"];
    expect(map?.ItemProcessor?.ProcessorConfig.Mode).toBe("DISTRIBUTED");
    expect(map?.Next).toBe("Aggregate and store");
    expect(definition.States["Aggregate and store"]?.Next).toBe("Publish the report site");
    expect(definition.States["Publish the report site"]?.Next).toBe("Send notifications");
    const batch = map?.ItemProcessor?.States["Scan batch"];
    expect(batch?.Retry).toContainEqual(
      expect.objectContaining({ ErrorEquals: ["States.ALL"], MaxAttempts: 2 }),
    );
    expect(batch?.Catch?.map((c) => c.Next)).toEqual(["Batch failed"]);
    template.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "cron(0 6 * * ? *)" });
    template.resourceCountIs("AWS::Lambda::Function", 5);
    template.allResourcesProperties("AWS::Lambda::Function", {
      Runtime: "nodejs24.x",
      TracingConfig: { Mode: "Active" },
    });
  });

  it("grants the scan exactly the read actions its collectors declare, and roles only those configured", () => {
    const policies = JSON.stringify(template.findResources("AWS::IAM::Policy"));
    for (const action of readActions()) expect(policies).toContain(`"${action}"`);
    expect(policies).not.toMatch(/"elasticloadbalancing:(Create|Delete|Modify)/);
    expect(policies).toContain('"arn:aws:iam::222222222222:role/drctl-read"');
    expect(policies).toMatch(/ses:eu-west-1:/);
  });
});
