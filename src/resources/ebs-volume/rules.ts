import { differ } from "../../core/compare.js";
import type { Difference, Rule } from "../../core/rule.js";
import type { NormalizedVolume } from "./normalize.js";

type VolumeRule = Rule<NormalizedVolume>;

const onOff = (on: boolean) => (on ? "on" : "off");
/** States a volume can be attached and used in. */
const USABLE = new Set(["creating", "available", "in-use"]);

/** A figure the standby must at least match: fewer on the standby is a difference, more is fine. */
function atLeast(
  path: "sizeGiB" | "iops" | "throughput",
  unit: string,
  p: NormalizedVolume,
  s: NormalizedVolume,
): Difference[] {
  const [a, b] = [p[path], s[path]];
  if (a === null || b === null || b >= a) return [];
  return [
    {
      path,
      primary: a,
      secondary: b,
      message: `the standby volume has ${b} ${unit}, the primary ${a} ${unit}`,
    },
  ];
}

function encryptionDiffers(p: NormalizedVolume, s: NormalizedVolume): Difference[] {
  if (p.encrypted !== s.encrypted)
    return differ(
      "encrypted",
      p.encrypted,
      s.encrypted,
      `encryption is ${onOff(s.encrypted)} on the standby volume, ${onOff(p.encrypted)} on the primary`,
    );
  const named = (k: boolean) => (k ? "names a KMS key" : "names no KMS key");
  return differ(
    "kmsKey",
    p.kmsKey,
    s.kmsKey,
    `the standby volume ${named(s.kmsKey)}, the primary ${named(p.kmsKey)}`,
  );
}

export const ebsVolumeRules: VolumeRule[] = [
  {
    id: "ebs-volume.state",
    resourceType: "ebs-volume",
    severity: "critical",
    title: "Standby volume usable",
    compares:
      "whether the standby volume's State is creating, available or in-use (not error, deleting or deleted)",
    rationale:
      "A volume in error or being deleted cannot be attached: the standby has no disk to take over with.",
    remediation:
      "Recreate the standby volume from the latest snapshot copied to its region (aws ec2 create-volume --snapshot-id), and point the primary's secondaryARN tag at it.",
    check: (p, s) =>
      USABLE.has(s.state)
        ? []
        : [
            {
              path: "state",
              primary: p.state,
              secondary: s.state,
              message: `the standby volume is ${s.state || "(unknown)"}, not available or in use (the primary is ${p.state || "(unknown)"})`,
            },
          ],
  },
  {
    id: "ebs-volume.volume-type",
    resourceType: "ebs-volume",
    severity: "high",
    title: "Volume type",
    compares: "VolumeType (gp2, gp3, io1, io2, st1, sc1, standard)",
    rationale:
      "Another type gives other latency, IOPS and throughput under the same load (an st1 or sc1 standby is far slower for random I/O).",
    remediation: "Change the standby's type (aws ec2 modify-volume --volume-type), or the primary's.",
    check: (p, s) =>
      differ(
        "volumeType",
        p.volumeType,
        s.volumeType,
        `the standby volume is ${s.volumeType}, the primary ${p.volumeType}`,
      ),
  },
  {
    id: "ebs-volume.size",
    resourceType: "ebs-volume",
    severity: "high",
    title: "Volume size",
    compares: "Size in GiB: a standby smaller than the primary (a larger one is fine)",
    rationale: "A smaller standby cannot hold the primary's data, and fills up after failover.",
    remediation: "Grow the standby volume (aws ec2 modify-volume --size), then the file system on it.",
    check: (p, s) => atLeast("sizeGiB", "GiB", p, s),
  },
  {
    id: "ebs-volume.iops",
    resourceType: "ebs-volume",
    severity: "high",
    title: "Provisioned IOPS",
    compares:
      "Iops where both types let them be set (gp3, io1, io2): a standby with fewer (gp2's follow from size, st1 and sc1 have none)",
    rationale: "With fewer IOPS the standby cannot serve the primary's I/O load after failover.",
    remediation: "Raise the standby's IOPS (aws ec2 modify-volume --iops).",
    check: (p, s) => atLeast("iops", "provisioned IOPS", p, s),
  },
  {
    id: "ebs-volume.throughput",
    resourceType: "ebs-volume",
    severity: "high",
    title: "Provisioned throughput",
    compares: "Throughput in MiB/s where both volumes are gp3: a standby with less",
    rationale: "With less throughput the standby cannot carry the primary's sequential load after failover.",
    remediation: "Raise the standby's throughput (aws ec2 modify-volume --throughput).",
    check: (p, s) => atLeast("throughput", "MiB/s of throughput", p, s),
  },
  {
    id: "ebs-volume.encryption",
    resourceType: "ebs-volume",
    severity: "high",
    title: "Encryption",
    compares:
      "Encrypted, and whether a KMS key is named (KmsKeyId by presence: the key's ARN differs per region by nature)",
    rationale:
      "Data the primary keeps encrypted would sit unencrypted after failover, against the same policy.",
    remediation:
      "Recreate the standby encrypted: copy the primary's snapshot with --encrypted --kms-key-id <a key of the standby's region> and create the volume from it.",
    check: encryptionDiffers,
  },
  {
    id: "ebs-volume.multi-attach",
    resourceType: "ebs-volume",
    severity: "high",
    title: "Multi-Attach",
    compares: "MultiAttachEnabled",
    rationale:
      "A cluster that shares the primary's volume between instances cannot attach the standby to more than one without it.",
    remediation:
      "Enable Multi-Attach on the standby io1/io2 volume (aws ec2 modify-volume-attribute --multi-attach-enabled), or recreate it with it.",
    check: (p, s) =>
      differ(
        "multiAttach",
        p.multiAttach,
        s.multiAttach,
        `Multi-Attach is ${onOff(s.multiAttach)} on the standby volume, ${onOff(p.multiAttach)} on the primary`,
      ),
  },
];
