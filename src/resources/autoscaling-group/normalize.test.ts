import type { AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../../core/rule-cases.testing.js";
import { ATTRIBUTE_BASED, launchSourceOf, normalizeGroup, onDemandInstances } from "./normalize.js";
import { autoscalingGroupRules } from "./rules.js";
import { cases } from "./rules.cases.js";

const rule = (id: string) => {
  const found = autoscalingGroupRules.find((r) => r.id === id);
  if (!found) throw new Error(id);
  return found;
};
const [primary, standby] = cases["autoscaling-group.capacity"]?.pass ?? [];
if (!primary || !standby) throw new Error("cases");

describe("where a group's instance types come from", () => {
  it("a mixed instances policy's overrides first, attribute-based ones marked", () => {
    const group: AutoScalingGroup = {
      MixedInstancesPolicy: {
        LaunchTemplate: {
          LaunchTemplateSpecification: { LaunchTemplateId: "lt-1", Version: "3" },
          Overrides: [
            { InstanceType: "c5.large" },
            { InstanceRequirements: { VCpuCount: { Min: 2 }, MemoryMiB: { Min: 4096 } } },
          ],
        },
      },
    } as AutoScalingGroup;
    expect(launchSourceOf(group)).toEqual({ kind: "types", types: ["c5.large", ATTRIBUTE_BASED] });
  });

  it("else the mixed policy's template, the group's template, or its launch configuration", () => {
    const spec = { LaunchTemplateName: "web", Version: "$Latest" };
    expect(
      launchSourceOf({
        MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: spec } },
      } as AutoScalingGroup),
    ).toEqual({ kind: "template", template: spec });
    expect(launchSourceOf({ LaunchTemplate: spec } as AutoScalingGroup)).toEqual({
      kind: "template",
      template: spec,
    });
    expect(launchSourceOf({ LaunchConfigurationName: "web-lc" } as AutoScalingGroup)).toEqual({
      kind: "configuration",
      name: "web-lc",
    });
    expect(launchSourceOf({} as AutoScalingGroup)).toEqual({ kind: "none" });
  });
});

describe("normalizing a group", () => {
  it("keeps what the rules compare, suspended processes and types sorted and once each", () => {
    const n = normalizeGroup(
      {
        AutoScalingGroupName: "web-use1",
        MinSize: 1,
        MaxSize: 4,
        DesiredCapacity: 2,
        AvailabilityZones: ["us-east-1a", "us-east-1b"],
        SuspendedProcesses: [{ ProcessName: "Launch" }, { ProcessName: "AZRebalance" }],
        MixedInstancesPolicy: {
          InstancesDistribution: { OnDemandBaseCapacity: 1, OnDemandPercentageAboveBaseCapacity: 50 },
        },
      } as AutoScalingGroup,
      "us-east-1",
      ["m5.large", "c5.large", "m5.large"],
    );
    expect(n).toMatchObject({
      zones: 2,
      instanceTypes: ["c5.large", "m5.large"],
      healthCheckType: "EC2",
      suspendedProcesses: ["AZRebalance", "Launch"],
      onDemand: { base: 1, percentAboveBase: 50 },
    });
    expect(n.capacity).toBeUndefined();
  });

  it("counts On-Demand instances: the base first, then the percentage above it, rounded up", () => {
    expect(onDemandInstances(5, { base: 0, percentAboveBase: 100 })).toBe(5);
    expect(onDemandInstances(5, { base: 1, percentAboveBase: 50 })).toBe(3);
    expect(onDemandInstances(5, { base: 0, percentAboveBase: 0 })).toBe(0);
    expect(onDemandInstances(1, { base: 2, percentAboveBase: 0 })).toBe(1);
  });
});

describe("the capacity and quota rules beyond their cases", () => {
  it("a standby whose maximum is 0 cannot take over at all: critical, with the command to fix it", () => {
    const [d] = rule("autoscaling-group.capacity").check(primary, { ...standby, maxSize: 0 }, SETTINGS);
    expect(d?.severity).toBe("critical");
    expect(d?.message).toContain("--auto-scaling-group-name web-dr-euw1 --max-size 6 --region eu-west-1");
  });

  it("a pilot light with desired 0 and enough maximum is fine, and the max-size rule says nothing when capacity does", () => {
    expect(
      rule("autoscaling-group.capacity").check(primary, { ...standby, desiredCapacity: 0 }, SETTINGS),
    ).toEqual([]);
    expect(rule("autoscaling-group.max-size").check(primary, { ...standby, maxSize: 2 }, SETTINGS)).toEqual(
      [],
    );
  });

  it("a lower minimum on the standby is information in a pilot light", () => {
    const found = rule("autoscaling-group.min-size").check(
      primary,
      { ...standby, minSize: 0 },
      { ...SETTINGS, strategy: "pilot-light" },
    );
    expect(found.map((d) => d.severity)).toEqual(["info"]);
  });

  it("the quota finding names the quota code and the increase to request", () => {
    const [p, s] = cases["autoscaling-group.vcpu-quota"]?.fail ?? [];
    if (!p || !s) throw new Error("cases");
    const [d] = rule("autoscaling-group.vcpu-quota").check(p, s, SETTINGS);
    expect(d?.message).toMatch(
      /needs at least 20 vCPUs .* plus 4 vCPUs of On-Demand instances already running there\), but the quota L-1216C47A there is 16/,
    );
    expect(d?.message).toContain("--quota-code L-1216C47A --desired-value 20 --region eu-west-1");
  });

  it("an unreadable quota is a low finding saying so, never a pass", () => {
    const capacity = {
      ...standby.capacity,
      region: "eu-west-1",
      vcpus: { "t3.micro": 2 },
      quotas: {
        "L-1216C47A": { service: "ec2", code: "L-1216C47A", name: "Standard", error: "access denied" },
      },
    };
    const found = rule("autoscaling-group.vcpu-quota").check(
      { ...primary, desiredCapacity: 20 },
      { ...standby, capacity },
      SETTINGS,
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe("low");
    expect(found[0]?.message).toMatch(
      /could not be checked: quota L-1216C47A could not be read: access denied/,
    );
  });

  it("counts only the On-Demand part of a standby's mixed instances policy", () => {
    const [p, s] = cases["autoscaling-group.vcpu-quota"]?.fail ?? [];
    if (!p || !s) throw new Error("cases");
    // 4 desired, 25% On-Demand: 1 × 4 vCPUs + 4 running = 8, within 16.
    expect(
      rule("autoscaling-group.vcpu-quota").check(
        p,
        { ...s, onDemand: { base: 0, percentAboveBase: 25 } },
        SETTINGS,
      ),
    ).toEqual([]);
  });
});
