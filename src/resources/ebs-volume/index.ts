import type { Volume } from "@aws-sdk/client-ec2";
import { ops } from "../../aws/services.js";
import { TAGGED_PERMISSIONS } from "../../pairs/tagged.js";
import { oneTwin, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { normalizeVolume, type NormalizedVolume } from "./normalize.js";
import { ebsVolumeRules } from "./rules.js";

/** Tagged primaries through the tagging API; volumes through one region-wide DescribeVolumes listing. */
export const EBS_VOLUME_PERMISSIONS = [...TAGGED_PERMISSIONS, ...ops("EC2", "DescribeVolumes")];

/** The volume was described with the region's listing: no further call. */
export const ebsVolumeCollector: Collector<NormalizedVolume, Volume> = {
  type: "ebs-volume",
  collect: (side) => Promise.resolve(normalizeVolume(side.anchor)),
};

export const ebsVolumeModule: ResourceModule<NormalizedVolume, Volume> = {
  type: "ebs-volume",
  title: "EBS volume",
  permissions: EBS_VOLUME_PERMISSIONS,
  rules: ebsVolumeRules,
  twins: oneTwin(ebsVolumeCollector),
};
