import { describe, expect, it } from "vitest";
import { runRuleCases, SETTINGS } from "../../core/rule-cases.testing.js";
import { normalizeVolume } from "./normalize.js";
import { cases } from "./rules.cases.js";
import { ebsVolumeRules } from "./rules.js";

runRuleCases(ebsVolumeRules, cases);

type Described = Parameters<typeof normalizeVolume>[0];

/** What the rules find between two volumes as DescribeVolumes gives them (both in use). */
const findings = (p: Described, s: Described) =>
  ebsVolumeRules.flatMap((r) =>
    r
      .check(normalizeVolume({ State: "in-use", ...p }), normalizeVolume({ State: "in-use", ...s }), SETTINGS)
      .map((d) => [r.id, d.path, d.message]),
  );

describe("EBS volume rules", () => {
  it("reports a gp3 standby of a gp2 primary once, as another type (gp2 has no IOPS to set)", () => {
    expect(findings({ VolumeType: "gp2", Size: 100, Iops: 300 }, { VolumeType: "gp3", Size: 100 })).toEqual([
      ["ebs-volume.volume-type", "volumeType", "the standby volume is gp3, the primary gp2"],
    ]);
  });

  it("compares encryption by presence of a key, never the key's ARN", () => {
    const key = (region: string) => `arn:aws:kms:${region}:123456789012:key/k`;
    const p: Described = { VolumeType: "gp3", Size: 10, Encrypted: true, KmsKeyId: key("us-east-1") };
    expect(findings(p, { ...p, KmsKeyId: key("eu-west-1") })).toEqual([]);
    expect(findings(p, { ...p, KmsKeyId: undefined })).toEqual([
      ["ebs-volume.encryption", "kmsKey", "the standby volume names no KMS key, the primary names a KMS key"],
    ]);
  });

  it("says both values in words", () => {
    expect(
      findings({ VolumeType: "io2", Size: 100, Iops: 8000 }, { VolumeType: "io2", Size: 80, Iops: 8000 }),
    ).toEqual([["ebs-volume.size", "sizeGiB", "the standby volume has 80 GiB, the primary 100 GiB"]]);
  });
});
