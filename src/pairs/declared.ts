/**
 * A pair people declared (the DR tags on the primary, or drctl.yaml `pairs:`) checked before
 * anything is read of its standby: a standby is named, its ARN parses, it is of the primary's type,
 * it is not the primary itself, and it is in another region. The scan and freshness both pair
 * through this, so a declaration means the same to each.
 */
import { parseArn, type Arn } from "../aws/arn.js";
import { findingOf, type Finding, type RuleInfo, type Status } from "../core/finding.js";
import { PAIR_RULES } from "./rules.js";
import { TAG, tidyArn } from "./tags.js";

export interface Declaration {
  /** The primary's name, which names the pair. */
  name: string;
  primaryArn: string;
  primaryRegion: string;
  /** The standby ARN as written (untrimmed, any case), or absent. */
  secondary: string | undefined;
  source: "tags" | "config";
}

/** What a type is called in messages, and the rule that reports a standby of another type. */
export interface TypeName {
  type: string;
  title: string;
  otherKindRule?: RuleInfo;
}

/** A declaration's standby, or the problem that keeps it from being paired. */
export type Checked =
  | { ok: true; standby: Arn; standbyArn: string }
  | { ok: false; rule: RuleInfo; status: Status; message: string; secondary: string | null };

export const viaOf = (source: Declaration["source"]) =>
  source === "tags" ? `its ${TAG.secondaryArn} tag` : "pairs in drctl.yaml";

function problem(
  rule: RuleInfo,
  message: string,
  secondary: string | null,
  status: Status = "error",
): Checked {
  return { ok: false, rule, status, message, secondary };
}

/** `Web-1 is tagged as an enabled primary but its secondaryARN tag is empty`, or drctl.yaml's. */
function noStandby(d: Declaration): Checked {
  const what = d.secondary === undefined ? "missing" : "empty";
  return problem(
    PAIR_RULES.secondaryArnMissing,
    d.source === "tags"
      ? `${d.name} is tagged as an enabled primary but its ${TAG.secondaryArn} tag is ${what}`
      : `${d.name} is listed in drctl.yaml's pairs but names no standby`,
    null,
  );
}

/** "an SQS queue", "a DynamoDB table": a type's title, singular, with its article. */
function aOf(title: string): string {
  const singular = title.replace(/s$/, "");
  const first = singular.split(" ")[0] ?? "";
  // An initialism is read letter by letter: "an SQS queue", "an RDS database", "a CloudWatch alarm".
  const vowelSound = /^[A-Z0-9]+$/.test(first) ? /^[AEFHILMNORSX8]/.test(first) : /^[aeiou]/i.test(first);
  return `${vowelSound ? "an" : "a"} ${singular}`;
}

/**
 * Checks one declaration. `typeOf` says which type owns an ARN (undefined: none drctl knows);
 * `own` is the primary's type.
 */
export function checkDeclared(
  d: Declaration,
  own: TypeName,
  typeOf: (arn: Arn) => TypeName | undefined,
): Checked {
  if (d.secondary === undefined || d.secondary.trim() === "") return noStandby(d);
  const via = viaOf(d.source);
  let standby: Arn;
  try {
    standby = parseArn(tidyArn(d.secondary));
  } catch (err) {
    return problem(
      PAIR_RULES.secondaryArnMalformed,
      `${d.name}'s standby (${via}) is not a valid ARN: ${(err as Error).message}`,
      d.secondary,
    );
  }
  const standbyArn = tidyArn(d.secondary);
  const other = typeOf(standby);
  if (other?.type !== own.type)
    return problem(
      own.otherKindRule ?? PAIR_RULES.otherKind,
      `${d.name} is ${aOf(own.title)} resource, but its standby (${via}) ${standbyArn} ${
        other
          ? `is ${aOf(other.title)}`
          : `names ${standby.service} ${standby.resourceType || "resource"} ${standby.resourceId}, not ${aOf(own.title).toLowerCase()}`
      }`,
      standbyArn,
    );
  if (standbyArn === d.primaryArn)
    return problem(PAIR_RULES.selfReference, `${d.name}'s ${TAG.secondaryArn} is its own ARN`, standbyArn);
  if (standby.region !== "" && standby.region === d.primaryRegion)
    return problem(
      PAIR_RULES.sameRegion,
      `${d.name}'s standby is in ${standby.region}, the primary's own region`,
      standbyArn,
      "drift",
    );
  return { ok: true, standby, standbyArn };
}

/** A pair-level finding on the pair a declaration names. */
export function pairFinding(
  d: Pick<Declaration, "name" | "primaryArn">,
  p: { rule: RuleInfo; status: Status; message: string; secondary: string | null },
  secondaryValue: unknown = p.secondary,
): Finding {
  return findingOf(p.rule, {
    pair: d.name,
    primaryArn: d.primaryArn,
    secondaryArn: p.secondary,
    status: p.status,
    path: "pair",
    primary: d.primaryArn,
    secondary: secondaryValue ?? null,
    message: p.message,
  });
}

/**
 * An error finding about a whole region that could not be read (path region[...]): every pair
 * whose primary is there is unread. `name` says what was not read ("(primaries in us-east-1)").
 */
export function regionFinding(region: string, name: string, message: string): Finding {
  const finding = pairFinding(
    { name, primaryArn: "" },
    { rule: PAIR_RULES.unreadable, status: "error", message, secondary: null },
  );
  return { ...finding, path: `region[${region}]`, primary: region };
}
