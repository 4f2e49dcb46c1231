import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedVolume } from "./normalize.js";

const volume = (over: Partial<NormalizedVolume> = {}): NormalizedVolume => ({
  volumeType: "gp3",
  sizeGiB: 100,
  iops: 4000,
  throughput: 250,
  encrypted: true,
  kmsKey: true,
  multiAttach: false,
  state: "in-use",
  ...over,
});

export const cases: RuleCases<NormalizedVolume> = {
  "ebs-volume.state": {
    pass: [volume(), volume({ state: "available" })],
    fail: [volume(), volume({ state: "error" })],
    paths: ["state"],
  },
  "ebs-volume.volume-type": {
    pass: [volume(), volume()],
    fail: [volume(), volume({ volumeType: "gp2", iops: null, throughput: null })],
    paths: ["volumeType"],
  },
  "ebs-volume.size": {
    pass: [volume(), volume({ sizeGiB: 200 })],
    fail: [volume(), volume({ sizeGiB: 50 })],
    paths: ["sizeGiB"],
  },
  "ebs-volume.iops": {
    pass: [volume({ volumeType: "io2", iops: 8000 }), volume({ volumeType: "io2", iops: 10000 })],
    fail: [volume({ volumeType: "io2", iops: 8000 }), volume({ volumeType: "io2", iops: 3000 })],
    paths: ["iops"],
  },
  "ebs-volume.throughput": {
    pass: [volume(), volume()],
    fail: [volume(), volume({ throughput: 125 })],
    paths: ["throughput"],
  },
  "ebs-volume.encryption": {
    pass: [volume(), volume()],
    fail: [volume(), volume({ encrypted: false, kmsKey: false })],
    paths: ["encrypted"],
  },
  "ebs-volume.multi-attach": {
    pass: [volume({ multiAttach: true }), volume({ multiAttach: true })],
    fail: [volume({ multiAttach: true }), volume()],
    paths: ["multiAttach"],
  },
};
