/**
 * What every per-type world builder shares: the regions it builds in, how twins are named per
 * region (as real accounts name them), the DR tags on a primary, and what a builder returns (the
 * pairs it made and the rule each planted difference must be found under).
 */
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { regionTag } from "../../../demo/world/options.js";
import type { AwsClients } from "../../../src/aws/client-factory.js";

export interface PairRegions {
  primaryRegion: string;
  standbyRegion: string;
}

/**
 * How a twin pair is named: by region code (app-use1 / app-euw1), by role (orders-primary /
 * orders-dr), or by casing and a suffix (Blue / blue-standby).
 */
export type NamingStyle = "region-code" | "role" | "casing";

export interface TwinNames {
  primary: string;
  standby: string;
}

export function twinNames(style: NamingStyle, stem: string, r: PairRegions): TwinNames {
  switch (style) {
    case "region-code":
      return {
        primary: `${stem}-${regionTag(r.primaryRegion)}`,
        standby: `${stem}-${regionTag(r.standbyRegion)}`,
      };
    case "role":
      return { primary: `${stem}-primary`, standby: `${stem}-dr` };
    case "casing":
      return { primary: `${stem[0]?.toUpperCase() ?? ""}${stem.slice(1)}`, standby: `${stem}-standby` };
  }
}

/** One pair a builder made: the primary's name and ARN (as the scan reports them) and its standby's. */
export interface BuiltPair {
  name: string;
  primaryArn: string;
  standbyArn: string;
}

/** A pair whose standby differs from its primary in one way, found under `ruleId` alone. */
export interface PlantedPair extends BuiltPair {
  ruleId: string;
}

export interface BuiltPairs {
  /** The resource type the pairs are of, as the scan reports it (PairResult.type). */
  type: string;
  /** Twins identical in meaning (names, ARNs and region-bound values differ): no finding at all. */
  identical: BuiltPair[];
  planted: PlantedPair[];
}

export const DR_TAG_KEYS = ["enable", "isPrimary", "secondaryARN"] as const;

/** The tags that make a resource a primary whose standby is `standbyArn`. */
export const drTags = (standbyArn: string): Record<string, string> => ({
  enable: "true",
  isPrimary: "true",
  secondaryARN: standbyArn,
});

/** The same tags as the Key/Value list most AWS APIs take. */
export const drTagList = (standbyArn: string): { Key: string; Value: string }[] =>
  Object.entries(drTags(standbyArn)).map(([Key, Value]) => ({ Key, Value }));

export function required(value: string | undefined, what: string): string {
  if (!value) throw new Error(`the emulator returned no ${what}`);
  return value;
}

/**
 * The account the emulator answers as, for ARNs a create call does not return (EBS volumes,
 * classic load balancers) and for region-bound values named by ARN (KMS keys, certificates).
 */
export async function callerAccount(aws: AwsClients): Promise<string> {
  const out = await aws.get(STSClient, "us-east-1").send(new GetCallerIdentityCommand({}));
  return required(out.Account, "caller's account");
}
