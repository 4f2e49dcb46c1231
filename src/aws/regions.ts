import { z } from "zod";
import { InputError } from "../errors.js";
import { nearest } from "../util/closest.js";

/** Commercial, China and GovCloud regions as of 2026; a typo should fail before any call is made. */
export const KNOWN_REGIONS: readonly string[] = [
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "cn-north-1",
  "cn-northwest-1",
  "us-gov-east-1",
  "us-gov-west-1",
];

const known = new Set(KNOWN_REGIONS);

/** Why `region` is not a region code (undefined when it is one), with the closest codes by edit distance. */
export function regionProblem(region: string): string | undefined {
  if (known.has(region)) return undefined;
  const near = nearest(region, KNOWN_REGIONS, 3);
  const hint = near.length > 0 ? ` (did you mean ${near.join(", ")}?)` : "";
  return `unknown AWS region "${region}": expected a region code such as us-east-1${hint}`;
}

/** A region code in a file (drctl.yaml, a runbook, a drill): a typo is refused at its line, with the closest codes. */
export const regionCode = z.string().superRefine((region, ctx) => {
  const problem = regionProblem(region);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** Returns the region, or throws an InputError naming where it came from and the closest known codes. */
export function assertRegion(region: string, where: string): string {
  const problem = regionProblem(region);
  if (!problem) return region;
  throw new InputError(problem.replace(/^(unknown AWS region "[^"]*")/, `$1 in ${where}`));
}
