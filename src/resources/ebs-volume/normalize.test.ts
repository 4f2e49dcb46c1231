import { describe, expect, it } from "vitest";
import { normalizeVolume } from "./normalize.js";

describe("normalizeVolume", () => {
  it("keeps IOPS and throughput only where the type lets them be set", () => {
    expect(normalizeVolume({ VolumeType: "gp2", Size: 100, Iops: 300 })).toMatchObject({
      iops: null,
      throughput: null,
    });
    expect(normalizeVolume({ VolumeType: "st1", Size: 500 })).toMatchObject({ iops: null, throughput: null });
    expect(normalizeVolume({ VolumeType: "io2", Size: 100, Iops: 8000, Throughput: 500 })).toMatchObject({
      iops: 8000,
      throughput: null,
    });
    expect(normalizeVolume({ VolumeType: "gp3", Size: 100, Iops: 4000, Throughput: 250 })).toMatchObject({
      iops: 4000,
      throughput: 250,
    });
  });

  it("gives a gp3 volume without figures AWS's baseline of 3,000 IOPS and 125 MiB/s", () => {
    expect(normalizeVolume({ VolumeType: "gp3", Size: 100 })).toMatchObject({ iops: 3000, throughput: 125 });
  });

  it("keeps whether a KMS key is named, never the key itself", () => {
    const v = normalizeVolume({
      VolumeType: "gp3",
      Encrypted: true,
      KmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1",
    });
    expect(v).toMatchObject({ encrypted: true, kmsKey: true });
    expect(JSON.stringify(v)).not.toContain("arn:");
  });
});
