/**
 * The EBS volume as a readiness type: a primary volume and its standby in another region (a
 * volume restored from copied snapshots, kept ready to attach), compared by type, size,
 * performance, encryption and Multi-Attach, never by id, zone or KMS key ARN.
 */
import type { Volume } from "@aws-sdk/client-ec2";
import type { ResourceType } from "../module.js";
import { ebsVolumeModule } from "./index.js";
import { ebsVolumePairing } from "./pairing.js";

export const ebsVolumeType = {
  pairing: ebsVolumePairing,
  modules: [ebsVolumeModule],
} as unknown as ResourceType<Volume>;
