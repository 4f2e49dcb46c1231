import type { Item } from "./dynamodb-table.js";
import { parse } from "./dynamodb-table.js";
import type { LockOwner, LockRecord } from "./journal.js";

/** The lock item of an application (PK LOCK#<application>), read back as a lock record. */
export function lockOfItem(application: string, i: Item): LockRecord {
  const owner = parse<LockOwner | null>(i.owner, null);
  return {
    application,
    runId: typeof i.runId === "string" ? i.runId : "?",
    owner:
      owner &&
      typeof owner.token === "string" &&
      owner.token === i.ownerToken &&
      typeof owner.pid === "number"
        ? owner
        : null,
    holder: typeof i.holder === "string" ? i.holder : "",
    acquiredAt: typeof i.acquiredAt === "string" ? i.acquiredAt : "",
    leaseUntil: typeof i.leaseUntil === "number" ? i.leaseUntil : null,
    generation: typeof i.generation === "number" ? i.generation : null,
  };
}

/**
 * The lock item is still the one read of an owned lock: same owner, generation and lease (a
 * renewal in between makes a takeover read it again).
 */
export function ownedCondition(
  expected: LockRecord,
  token: string,
): { ConditionExpression: string; ExpressionAttributeValues: Item } {
  const parts = ["ownerToken = :t"];
  const values: Item = { ":t": token };
  if (expected.generation === null) parts.push("attribute_not_exists(generation)");
  else {
    parts.push("generation = :g");
    values[":g"] = expected.generation;
  }
  if (expected.leaseUntil === null) parts.push("attribute_not_exists(leaseUntil)");
  else {
    parts.push("leaseUntil = :l");
    values[":l"] = expected.leaseUntil;
  }
  return { ConditionExpression: parts.join(" AND "), ExpressionAttributeValues: values };
}
