import type { Volume } from "@aws-sdk/client-ec2";

/** What the rules compare of one EBS volume: its meaning, never its id, zone or KMS key ARN. */
export interface NormalizedVolume {
  /** gp2, gp3, io1, io2, st1, sc1, standard. */
  volumeType: string;
  sizeGiB: number;
  /** Provisioned IOPS where the type lets them be set (gp3, io1, io2); null for the others. */
  iops: number | null;
  /** Provisioned throughput in MiB/s where the type lets it be set (gp3); null for the others. */
  throughput: number | null;
  encrypted: boolean;
  /** Whether a KMS key is named (its ARN differs per region by nature, so only its presence counts). */
  kmsKey: boolean;
  multiAttach: boolean;
  /** creating, available, in-use, deleting, deleted, error. */
  state: string;
}

/** Types whose IOPS are provisioned (gp2's follow from its size, st1/sc1/standard have none to set). */
const PROVISIONED_IOPS = new Set(["gp3", "io1", "io2"]);
/** gp3 without a figure gets AWS's baseline (3,000 IOPS, 125 MiB/s). */
const GP3_BASELINE = { iops: 3000, throughput: 125 };

export function normalizeVolume(v: Volume): NormalizedVolume {
  const volumeType = v.VolumeType ?? "standard";
  const gp3 = volumeType === "gp3";
  return {
    volumeType,
    sizeGiB: v.Size ?? 0,
    iops: PROVISIONED_IOPS.has(volumeType) ? (v.Iops ?? (gp3 ? GP3_BASELINE.iops : 0)) : null,
    throughput: gp3 ? (v.Throughput ?? GP3_BASELINE.throughput) : null,
    encrypted: v.Encrypted ?? false,
    kmsKey: Boolean(v.KmsKeyId),
    multiAttach: v.MultiAttachEnabled ?? false,
    state: v.State ?? "",
  };
}
