/** Listener actions and rule conditions in words, for messages a person reads. */
import { refName, type Ref, type ResolvedRef } from "../../core/refs.js";
import type { NormalizedAction } from "./normalize.js";

type Target = { group: Ref | ResolvedRef; weight: number | null };

const text = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : "");

function forward(a: NormalizedAction): string {
  const targets = ((a.targetGroups as { $set?: Target[] } | undefined)?.$set ?? []).slice();
  targets.sort((x, y) => refName(x.group).localeCompare(refName(y.group)));
  const list = targets
    .map((t) => (t.weight === null ? refName(t.group) : `${refName(t.group)} (weight ${t.weight})`))
    .join(" and ");
  const sticky = a.stickiness as { enabled?: boolean; durationSeconds?: number | null } | undefined;
  const stickiness = sticky?.enabled
    ? `, with group stickiness${sticky.durationSeconds ? ` for ${sticky.durationSeconds} s` : ""}`
    : "";
  return `forwards to ${list || "no target group"}${stickiness}`;
}

function redirect(a: NormalizedAction): string {
  const r = (a.redirect ?? {}) as Record<string, unknown>;
  const code = text(r.StatusCode).replace(/^HTTP_/, "");
  const parts = [
    r.Protocol !== "#{protocol}" ? text(r.Protocol) : "",
    r.Host !== "#{host}" ? `host ${text(r.Host)}` : "",
    r.Port !== "#{port}" ? `port ${text(r.Port)}` : "",
    r.Path !== "/#{path}" ? `path ${text(r.Path)}` : "",
    r.Query !== "#{query}" ? `query ${text(r.Query) || "(empty)"}` : "",
  ].filter(Boolean);
  return `redirects${code ? ` with ${code}` : ""} to ${parts.join(", ") || "the same URL"}`;
}

function fixed(a: NormalizedAction): string {
  const f = (a.fixedResponse ?? {}) as Record<string, unknown>;
  const body = text(f.MessageBody);
  const shown = body.length > 60 ? `${body.slice(0, 59)}…` : body;
  return `returns a fixed ${text(f.StatusCode)}${body ? ` "${shown}"` : ""}${f.ContentType ? ` (${text(f.ContentType)})` : ""}`;
}

export function describeAction(a: NormalizedAction): string {
  switch (a.type) {
    case "forward":
      return forward(a);
    case "redirect":
      return redirect(a);
    case "fixed-response":
      return fixed(a);
    case "authenticate-oidc":
      return `authenticates with the OIDC issuer ${text((a.oidc as Record<string, unknown> | undefined)?.Issuer) || "(none)"}`;
    case "authenticate-cognito":
      return `authenticates with the Cognito domain ${text((a.cognito as Record<string, unknown> | undefined)?.UserPoolDomain) || "(none)"}`;
    default:
      return `takes action ${a.type || "(none)"}`;
  }
}

export function describeActions(actions: readonly NormalizedAction[]): string {
  return actions.length === 0 ? "does nothing" : actions.map(describeAction).join(", then ");
}

const FIELDS: Record<string, string> = {
  "host-header": "host",
  "path-pattern": "path",
  "http-request-method": "method",
  "query-string": "query",
  "source-ip": "source IP",
};

export function describeConditions(conditions: readonly Record<string, unknown>[]): string {
  if (conditions.length === 0) return "every request";
  return conditions
    .map((c) => {
      const values = ((c.values as string[] | undefined) ?? []).join(" or ") || "(nothing)";
      const field = String(c.field);
      if (field === "http-header") return `header ${text(c.header)} ${values}`;
      return `${FIELDS[field] ?? field} ${values}`;
    })
    .join(" and ");
}
