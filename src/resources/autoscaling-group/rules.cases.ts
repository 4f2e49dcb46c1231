import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedGroup, StandbyCapacity } from "./normalize.js";

const STANDARD = "L-1216C47A";

/** The standby region's capacity: t3.micro and m5.large at 2 vCPUs, a quota of 16 vCPUs. */
const room = (over: Partial<StandbyCapacity> = {}): StandbyCapacity => ({
  region: "eu-west-1",
  vcpus: { "t3.micro": 2, "m5.large": 2, "m5.xlarge": 4 },
  quotas: {
    [STANDARD]: { service: "ec2", code: STANDARD, name: "Running On-Demand Standard instances", value: 16 },
  },
  runningElsewhere: { [STANDARD]: 4 },
  ...over,
});

const primary = (over: Partial<NormalizedGroup> = {}): NormalizedGroup => ({
  name: "web-use1",
  region: "us-east-1",
  minSize: 1,
  maxSize: 6,
  desiredCapacity: 2,
  zones: 2,
  instanceTypes: ["t3.micro"],
  healthCheckType: "ELB",
  healthCheckGracePeriod: 300,
  capacityRebalance: false,
  suspendedProcesses: [],
  onDemand: { base: 0, percentAboveBase: 100 },
  ...over,
});

/** The standby: named differently, a pilot light (desired 0), its region's capacity read. */
const standby = (over: Partial<NormalizedGroup> = {}): NormalizedGroup =>
  primary({ name: "web-dr-euw1", region: "eu-west-1", desiredCapacity: 0, capacity: room(), ...over });

export const cases: RuleCases<NormalizedGroup> = {
  "autoscaling-group.capacity": {
    pass: [primary({ desiredCapacity: 6 }), standby({ maxSize: 6 })],
    fail: [primary({ desiredCapacity: 5 }), standby({ maxSize: 3 })],
    paths: ["maxSize"],
  },
  "autoscaling-group.vcpu-quota": {
    // 6 × 2 vCPUs + 4 running elsewhere = 16: just fits.
    pass: [primary({ desiredCapacity: 6 }), standby()],
    // 4 × m5.xlarge at 4 vCPUs + 4 = 20 > 16.
    fail: [primary({ desiredCapacity: 4 }), standby({ instanceTypes: ["m5.xlarge"] })],
    paths: ["vcpuQuota"],
  },
  "autoscaling-group.max-size": {
    pass: [primary(), standby()],
    fail: [primary(), standby({ maxSize: 4 })],
    paths: ["maxSize"],
  },
  "autoscaling-group.min-size": {
    pass: [primary(), standby()],
    fail: [primary(), standby({ minSize: 0 })],
    paths: ["minSize"],
  },
  "autoscaling-group.zones": {
    pass: [primary(), standby()],
    fail: [primary({ zones: 3 }), standby()],
    paths: ["zones"],
  },
  "autoscaling-group.instance-types": {
    pass: [
      primary({ instanceTypes: ["c5.large", "c5.xlarge"] }),
      standby({ instanceTypes: ["c5.large", "c5.xlarge"] }),
    ],
    fail: [primary(), standby({ instanceTypes: ["m5.large"] })],
    paths: ["instanceTypes"],
  },
  "autoscaling-group.health-check": {
    pass: [primary(), standby()],
    fail: [primary(), standby({ healthCheckType: "EC2", healthCheckGracePeriod: 60 })],
    paths: ["healthCheckType", "healthCheckGracePeriod"],
  },
  "autoscaling-group.capacity-rebalance": {
    pass: [primary({ capacityRebalance: true }), standby({ capacityRebalance: true })],
    fail: [primary({ capacityRebalance: true }), standby()],
    paths: ["capacityRebalance"],
  },
  "autoscaling-group.suspended-processes": {
    pass: [
      primary({ suspendedProcesses: ["AZRebalance"] }),
      standby({ suspendedProcesses: ["AZRebalance"] }),
    ],
    fail: [primary({ suspendedProcesses: ["AZRebalance"] }), standby({ suspendedProcesses: ["Launch"] })],
    paths: ["suspendedProcesses.AZRebalance", "suspendedProcesses.Launch"],
  },
};
