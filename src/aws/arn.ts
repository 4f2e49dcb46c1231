import { InputError } from "../errors.js";

/** A parsed ARN: arn:partition:service:region:account:resource. */
export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** The part before the first "/" or ":" of the resource, or "" when the resource has no type. */
  resourceType: string;
  /** Everything after the resource type and its separator (may itself contain "/"). */
  resourceId: string;
  /** The resource part exactly as written. */
  resource: string;
}

export class ArnError extends InputError {
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`malformed ARN ${JSON.stringify(input)}: ${reason}`);
  }
}

const PARTITIONS = new Set([
  "aws",
  "aws-cn",
  "aws-us-gov",
  "aws-iso",
  "aws-iso-b",
  "aws-iso-e",
  "aws-iso-f",
  "aws-eusc",
]);
const SERVICE = /^[a-z0-9][a-z0-9-]*$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ACCOUNT = /^\d{12}$/;

/**
 * Parses an ARN strictly. Surrounding white space is tolerated (ARNs arrive in tag values typed
 * by people); anything else that AWS would not accept is an ArnError saying which part is wrong.
 */
export function parseArn(input: string): Arn {
  const text = input.trim();
  if (text === "") throw new ArnError(input, "it is empty");
  if (/\s/.test(text)) throw new ArnError(input, "it contains white space");
  const parts = text.split(":");
  if (parts.length < 6) {
    throw new ArnError(
      input,
      `expected 6 colon-separated parts (arn:partition:service:region:account:resource), found ${parts.length}`,
    );
  }
  const [prefix, partition, service, region, account] = parts as [string, string, string, string, string];
  const resource = parts.slice(5).join(":");
  if (prefix !== "arn") throw new ArnError(input, `expected it to start with "arn:", found "${prefix}:"`);
  if (!PARTITIONS.has(partition)) {
    throw new ArnError(
      input,
      `unknown partition "${partition}" (expected one of ${[...PARTITIONS].join(", ")})`,
    );
  }
  if (!SERVICE.test(service)) throw new ArnError(input, `invalid service "${service}"`);
  if (region !== "" && !REGION.test(region)) {
    throw new ArnError(input, `invalid region "${region}" (expected a code such as us-east-1)`);
  }
  if (account !== "" && account !== "aws" && !ACCOUNT.test(account)) {
    throw new ArnError(input, `invalid account "${account}" (expected 12 digits)`);
  }
  if (resource === "") throw new ArnError(input, "the resource part is empty");
  const cut = resource.search(/[/:]/);
  const resourceType = cut === -1 ? "" : resource.slice(0, cut);
  const resourceId = cut === -1 ? resource : resource.slice(cut + 1);
  return { partition, service, region, account, resourceType, resourceId, resource };
}

export function formatArn(arn: Omit<Arn, "resourceType" | "resourceId">): string {
  return `arn:${arn.partition}:${arn.service}:${arn.region}:${arn.account}:${arn.resource}`;
}
