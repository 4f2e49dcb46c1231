/**
 * What an incremental scan keeps of each pair it reads: the ARNs and ids its reads named (so a
 * change AWS reports can be mapped back to the pair), and a digest of what its rules compared.
 */
import { createHash } from "node:crypto";

/** The ARN's resource part: arn:aws:elasticloadbalancing:r:a:listener/app/x/1/2 -> listener/app/x/1/2. */
function resourcePart(arn: string): string | undefined {
  const parts = arn.split(":");
  return parts.length >= 6 ? parts.slice(5).join(":") : undefined;
}

/**
 * Every key under which a resource can be named by a change: itself, an ARN's resource part and
 * what follows its type word, and a load balancer's own id inside a listener's or rule's ARN (a
 * listener changed is its load balancer's pair changed). Keys are lower case: names are not.
 * A key that matches too much only re-reads a pair; one that matches too little waits for the sweep.
 */
export function resourceKeys(id: string): string[] {
  const raw = id.trim().toLowerCase();
  if (raw === "") return [];
  const keys = new Set([raw]);
  const resource = raw.startsWith("arn:") ? resourcePart(raw) : raw.startsWith("/") ? raw.slice(1) : raw;
  if (resource !== undefined) {
    keys.add(resource);
    const cut = resource.search(/[/:]/);
    const tail = cut >= 0 ? resource.slice(cut + 1) : "";
    if (tail !== "") {
      keys.add(tail);
      const segments = tail.split("/");
      // app/name/id inside listener/app/name/id/lid and listener-rule/app/name/id/lid/rid.
      if (segments.length > 3) keys.add(segments.slice(0, 3).join("/"));
    }
  }
  // An SQS queue URL names the queue last.
  if (/^https:\/\/sqs\./.test(raw)) keys.add(raw.split("/").pop() ?? raw);
  // A DNS record is "name TYPE" to a pair and its bare name, with or without the final dot, to a change.
  const name = raw.split(" ")[0]?.replace(/\.$/, "") ?? "";
  if (name !== raw) keys.add(name);
  return [...keys].filter((k) => k.length >= 3);
}

/** Ids of every reference (`{ $ref, id }`) inside compared data, however deep. */
export function referencedIds(value: unknown, into: Set<string>, depth = 0): void {
  if (depth > 12 || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const v of value) referencedIds(v, into, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.$ref === "string" && typeof record.id === "string") into.add(record.id);
  for (const v of Object.values(record)) referencedIds(v, into, depth + 1);
}

/** A short, stable digest of compared data: the same configuration gives the same text. */
export function fingerprintOf(value: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(value, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v)) ?? "")
    .digest("hex")
    .slice(0, 16);
}
