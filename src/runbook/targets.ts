/**
 * What a step acts on, read from AWS before it runs: a drill's scope check judges these (whose
 * application each belongs to, which region it is in) before a fault is injected. A kind that
 * acts on resources declares how to read them (StepKind.targets); a kind that cannot say (a
 * command, an FIS target chosen by filters) throws UntoldTargets with why.
 */

/** A resource a step acts on, as read from AWS. */
export interface FaultTarget {
  /** How the runbook or drill file names it (a group name, an instance id), for messages. */
  name: string;
  /** Its ARN; its region field is empty for a global resource (a Route 53 health check). */
  arn: string;
  tags: Record<string, string>;
}

/** The step acts on something drctl cannot read (a command, an FIS target chosen by filters). */
export class UntoldTargets extends Error {}

/** AWS's tag list as a record. */
export const tagsOf = (list: { Key?: string | undefined; Value?: string | undefined }[] | undefined) =>
  Object.fromEntries((list ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));

/** The ARN partition of a region. */
export const partitionOf = (region: string) =>
  region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";

/** A parameter read as text (what a drill file wrote, not yet checked by the kind). */
export const textOf = (v: unknown): string => (typeof v === "string" ? v : "");
