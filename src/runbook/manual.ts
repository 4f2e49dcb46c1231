/**
 * Helpers for the step kinds' manual(): AWS CLI command lines a person can paste, from the
 * parameters as the runbook writes them. Values are data, always shell-quoted; what is not known
 * until the commands run (an ARN behind a name, a step's output, the time) is drctl's own shell
 * code, a command substitution `"$(aws ... --query ... --output text)"` or a variable, kept
 * apart from data in a Shell value so that no value is ever read as code.
 */
import { randomUUID } from "node:crypto";

/** A shell word made of data (quoted when printed) and drctl's own shell code (`$(...)`, `$VAR`). */
export class Shell {
  constructor(readonly parts: readonly (string | { code: string })[]) {}
}

/** drctl's shell code, printed as is inside double quotes: never built from data unquoted. */
export const code = (text: string): Shell => new Shell([{ code: text }]);

/** `$(command)`: the output of an AWS CLI command drctl prints. */
export const output = (command: string): Shell => code(`$(${command})`);

/** One word of several values side by side: Name=DBInstanceIdentifier,Value="$(...)". */
export function word(...values: unknown[]): Shell {
  return new Shell(values.flatMap((v) => (v instanceof Shell ? v.parts : [text(v)])));
}

/** A parameter as text: strings as they are, other values as JSON, a Shell value as it is printed. */
export function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (value instanceof Shell) return sh(value);
  return typeof value === "string" ? value : JSON.stringify(value);
}

const quote = (t: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(t) ? t : `'${t.replace(/'/g, `'\\''`)}'`);

/** Quotes a value for a POSIX shell when it needs it; a Shell value's code goes inside double quotes. */
export function sh(value: unknown): string {
  if (!(value instanceof Shell)) return quote(text(value));
  // Data side by side is one quoted run; code goes between, in double quotes.
  const runs: (string | { code: string })[] = [];
  for (const p of value.parts) {
    const last = runs[runs.length - 1];
    if (typeof p === "string" && typeof last === "string") runs[runs.length - 1] = last + p;
    else runs.push(p);
  }
  const out = runs.map((p) => (typeof p === "string" ? (p === "" ? "" : quote(p)) : `"${p.code}"`)).join("");
  return out === "" ? "''" : out;
}

/** Text after a `#`: a newline or control character in data would end the comment, so none stays. */
export function comment(...values: unknown[]): string {
  return `   # ${values
    .map(text)
    .join("")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")}`;
}

/** `aws SERVICE COMMAND --region R --flag value ...`, leaving out flags without a value; a list is several words. */
export function aws(
  service: string,
  command: string,
  region: string,
  flags: Record<string, unknown> = {},
): string {
  const parts = [`aws ${service} ${command} --region ${sh(region)}`];
  for (const [flag, value] of Object.entries(flags)) {
    if (value === undefined || value === null || value === false) continue;
    if (value === true) parts.push(`--${flag}`);
    else if (Array.isArray(value)) parts.push(`--${flag} ${value.map(sh).join(" ")}`);
    else parts.push(`--${flag} ${sh(value)}`);
  }
  return parts.join(" ");
}

/**
 * A value as JSON for a CLI argument (a change batch, a payload), one shell word: Shell values
 * inside it become their code, spliced into the JSON string they stand in.
 */
export function json(value: unknown): Shell {
  const nonce = randomUUID();
  const spliced: Shell[] = [];
  const textOf = JSON.stringify(value, (_k, v: unknown) => {
    if (!(v instanceof Shell)) return v;
    spliced.push(v);
    return `@${nonce}:${spliced.length - 1}@`;
  });
  const parts: (string | { code: string })[] = [];
  for (const [i, piece] of textOf.split(new RegExp(`@${nonce}:(\\d+)@`)).entries()) {
    if (i % 2 === 0) parts.push(piece);
    else
      for (const p of spliced[Number(piece)]?.parts ?? [])
        // Data inside the JSON string is escaped as JSON; code prints what it prints.
        parts.push(typeof p === "string" ? JSON.stringify(p).slice(1, -1) : p);
  }
  return new Shell(parts);
}

/** A JMESPath JSON literal of a value: `"app.example.com."` (a backquote in data escaped). */
export function jmesLiteral(value: unknown): Shell {
  const literal = (t: string) => JSON.stringify(t).slice(1, -1).replace(/`/g, "\\`");
  const parts = value instanceof Shell ? value.parts : [text(value)];
  // Code (a value known when the line runs) goes inside the literal as it prints.
  return new Shell(['`"', ...parts.map((p) => (typeof p === "string" ? literal(p) : p)), '"`']);
}

/** `date` of a time `minutes` ago (0: now), in UTC, as the CLI takes timestamps. */
export const minutesAgo = (minutes: number): Shell =>
  code(
    minutes === 0
      ? "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
      : `$(date -u -d '-${Math.round(minutes)} min' +%Y-%m-%dT%H:%M:%SZ)`,
  );

/** A name's ARN by hand: the value itself when it is one, else what describing it says. */
export function arnOr(value: unknown, lookup: (name: unknown) => string): unknown {
  return typeof value === "string" && value.startsWith("arn:")
    ? value
    : value instanceof Shell
      ? value
      : output(lookup(value));
}

/** A target group's ARN, given its ARN or name. */
export const targetGroupArn = (ref: unknown, region: string): unknown =>
  arnOr(ref, (name) =>
    aws("elbv2", "describe-target-groups", region, {
      names: name,
      query: "TargetGroups[0].TargetGroupArn",
      output: "text",
    }),
  );

/**
 * A hosted zone's id, given its id or its name (the first zone of that name, as drctl picks it).
 * Route 53 is global: the region only says where the CLI signs.
 */
export function hostedZoneId(zone: unknown, region: string): unknown {
  if (zone instanceof Shell) return zone;
  const t = text(zone);
  if (!t.includes(".")) return t.replace(/^\/hostedzone\//, "");
  const dotted = t.endsWith(".") ? t : `${t}.`;
  return output(
    aws("route53", "list-hosted-zones-by-name", region, {
      "dns-name": t,
      query: word("HostedZones[?Name==", jmesLiteral(dotted.toLowerCase()), "].Id | [0]"),
      output: "text",
    }),
  );
}

const HEALTH_CHECK_ID = /^[0-9a-f-]{36}$/;

/** A Route 53 health check's id, given its id or the domain name it checks. */
export function healthCheckId(ref: unknown, region: string): unknown {
  if (ref instanceof Shell || HEALTH_CHECK_ID.test(text(ref))) return ref;
  return output(
    aws("route53", "list-health-checks", region, {
      query: word(
        "HealthChecks[?HealthCheckConfig.FullyQualifiedDomainName==",
        jmesLiteral(ref),
        "].Id | [0]",
      ),
      output: "text",
    }),
  );
}

/** A DB instance's field by hand: `aws rds describe-db-instances ... --query DBInstances[0].FIELD`. */
export const dbField = (instance: unknown, region: string, field: string): string =>
  aws("rds", "describe-db-instances", region, {
    "db-instance-identifier": instance,
    query: `DBInstances[0].${field}`,
    output: "text",
  });

/** --tag-specifications of a step's tags, for each resource type; undefined without tags. */
export function tagSpecifications(tags: unknown, types: readonly string[]): Shell | undefined {
  if (!tags || typeof tags !== "object" || Object.keys(tags).length === 0) return undefined;
  const list = Object.entries(tags as Record<string, unknown>).map(([Key, Value]) => ({ Key, Value }));
  return json(types.map((ResourceType) => ({ ResourceType, Tags: list })));
}
