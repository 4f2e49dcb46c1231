import { STEP_KINDS } from "../catalog.js";
import { describe, expect, it } from "vitest";
import { runbookSchema } from "./schema.js";
import { runbookScope } from "./scope.js";

describe("what a runbook names beside one step", () => {
  it("every region (its own, its steps', region codes in config and parameters) and every SSM parameter its steps write or read", () => {
    const runbook = runbookSchema.parse({
      version: 1,
      name: "daily",
      application: "web",
      region: "us-west-2",
      config: { standby: "eu-west-1", group: "web", note: "us-east-1 is the primary" },
      steps: [
        { id: "copy", kind: "ec2.copy-image", params: { source: "ami-1", sourceRegion: "us-east-1" } },
        {
          id: "point",
          kind: "ssm.put-parameters",
          region: "ap-south-1",
          params: { parameters: { "/app/latest-ami-id": "${steps.copy.outputs.imageId}" } },
        },
        { id: "scale", kind: "autoscaling.set-capacity", params: { group: "${ssm:/app/group}", desired: 2 } },
        { id: "again", kind: "sleep", params: { seconds: 1, why: "${ssm:/app/latest-ami-id}" } },
      ],
    });
    expect(runbookScope(runbook, STEP_KINDS)).toEqual({
      regions: ["us-west-2", "ap-south-1", "eu-west-1", "us-east-1"],
      parameters: [
        { name: "/app/latest-ami-id", steps: ["point", "again"] },
        { name: "/app/group", steps: ["scale"] },
      ],
    });
  });
});
