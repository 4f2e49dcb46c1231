import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { DEFAULT_RATE_LIMITS } from "./rate-limits.js";
import { AWS_SERVICES, iamActions, iamActionsOf, ops, serviceLabel, serviceOf } from "./services.js";

const require = createRequire(import.meta.url);

/**
 * Where a service's IAM prefix is not its SigV4 signing name (the Service Authorization
 * Reference): CloudWatch signs as "monitoring", the tagging API as "tagging".
 */
const PREFIX_NOT_SIGNING_NAME: Readonly<Record<string, string>> = {
  monitoring: "cloudwatch",
  tagging: "tag",
};

interface ClientShape {
  config: { defaultSigningName?: string };
  destroy(): void;
}

/** Every @aws-sdk/client-* package drctl depends on at run time, with its client class. */
function sdkClients(): { pkg: string; name: string; make: () => ClientShape }[] {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    dependencies: Record<string, string>;
  };
  return Object.keys(manifest.dependencies)
    .filter((pkg) => pkg.startsWith("@aws-sdk/client-"))
    .map((pkg) => {
      const mod = require(pkg) as Record<string, unknown>;
      const [name, cls] = Object.entries(mod).find(
        ([k, v]) => k.endsWith("Client") && k !== "__Client" && typeof v === "function",
      ) ?? ["", undefined];
      const Client = cls as new (config: { region: string }) => ClientShape;
      return { pkg, name, make: () => new Client({ region: "us-east-1" }) };
    });
}

describe("the AWS service table", () => {
  it("has a row for every SDK client drctl uses, with the IAM prefix its signing name implies", () => {
    const clients = sdkClients();
    expect(clients.length).toBeGreaterThan(20);
    for (const { pkg, name, make } of clients) {
      const client = make();
      const signing = client.config.defaultSigningName ?? "";
      client.destroy();
      const label = serviceLabel(name);
      expect(serviceOf(label), `${pkg} (${name}) has no row in AWS_SERVICES`).toBeDefined();
      expect(serviceOf(label)?.iamPrefix, pkg).toBe(PREFIX_NOT_SIGNING_NAME[signing] ?? signing);
    }
  });

  it("names EFS's and the tagging API's actions as IAM does", () => {
    expect(serviceLabel("EFSClient")).toBe("EFS");
    expect(iamActions(ops("EFS", "DescribeFileSystems"))).toEqual(["elasticfilesystem:DescribeFileSystems"]);
    expect(serviceLabel("ResourceGroupsTaggingAPIClient")).toBe("ResourceGroupsTaggingAPI");
    expect(iamActions(ops("ResourceGroupsTaggingAPI", "GetResources"))).toEqual(["tag:GetResources"]);
  });

  it("derives an action from the operation unless IAM names it otherwise", () => {
    expect(iamActionsOf({ service: "ELBv2", operation: "DescribeRules" })).toEqual([
      "elasticloadbalancing:DescribeRules",
    ]);
    expect(iamActionsOf({ service: "S3", operation: "ListObjectsV2" })).toEqual(["s3:ListBucket"]);
    expect(iamActionsOf({ service: "Lambda", operation: "Invoke" })).toEqual(["lambda:InvokeFunction"]);
    expect(iamActionsOf({ service: "STS", operation: "GetCallerIdentity" })).toEqual([]);
  });

  it("gives the rate limiter the documented rates, and labels unknown clients by their name", () => {
    expect(DEFAULT_RATE_LIMITS["ELBv2"]).toEqual({ perSecond: 10, burst: 40 });
    expect(DEFAULT_RATE_LIMITS["ResourceGroupsTaggingAPI"]).toEqual({ perSecond: 5, burst: 10 });
    expect(DEFAULT_RATE_LIMITS["SNS"]).toBeUndefined();
    expect(DEFAULT_RATE_LIMITS["CloudTrail"]).toEqual({ perSecond: 2, burst: 2 });
    expect(DEFAULT_RATE_LIMITS["Config"]).toBeUndefined();
    expect(Object.keys(DEFAULT_RATE_LIMITS).length).toBe(14);
    expect(serviceLabel("SQSClient")).toBe("SQS");
    expect(Object.keys(AWS_SERVICES)).toContain("Fis");
    expect(serviceLabel("ConfigServiceClient")).toBe("Config");
    expect(iamActions(ops("Config", "SelectResourceConfig"))).toEqual(["config:SelectResourceConfig"]);
    expect(iamActions(ops("CloudTrail", "LookupEvents"))).toEqual(["cloudtrail:LookupEvents"]);
  });
});
