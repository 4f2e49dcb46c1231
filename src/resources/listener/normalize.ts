import type {
  Action,
  Certificate,
  Listener,
  Rule as ElbRule,
  RuleCondition,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { ref, type Ref } from "../../core/refs.js";

/**
 * An action by meaning. Its target groups are references (compared through the pair's twins,
 * never by ARN or name) and a set: the order AWS lists weighted targets in means nothing.
 */
export type NormalizedAction = Record<string, unknown> & { type: string };

/** One target of a forward action. */
export interface ForwardTarget {
  group: Ref;
  /** null for a lone target, whose weight means nothing. */
  weight: number | null;
}

export interface NormalizedRule {
  conditions: Record<string, unknown>[];
  actions: NormalizedAction[];
}

/** Where a listener sends traffic to a target group; used to match target groups through the pair. */
export interface TargetGroupUse {
  /** Same key on both sides means the same position: port, default or rule priority, action, weight. */
  key: string;
  arn: string;
  /** The position in words, for the twins a scan reports: "port 443 default action". */
  via: string;
}

export interface NormalizedListener {
  /** Which listener it is (not compared). */
  arn: string;
  port: number;
  protocol: string;
  sslPolicy: string | null;
  alpn: string[];
  defaultActions: NormalizedAction[];
  rules: Record<string, NormalizedRule>;
  /** Certificate ARNs: the default one and the SNI ones. */
  certificates: { defaultArn: string | null; sniArns: string[] };
  targetGroupUses: TargetGroupUse[];
}

/** targetgroup/NAME/id -> NAME (the fallback name of a group the region's list does not hold). */
export function targetGroupName(arn: string): string {
  return /:targetgroup\/([^/]+)\//.exec(arn)?.[1] ?? arn;
}

const REDIRECT_DEFAULTS = {
  Protocol: "#{protocol}",
  Port: "#{port}",
  Host: "#{host}",
  Path: "/#{path}",
  Query: "#{query}",
};

function forwardTargets(action: Action): { arn: string; weight: number | null }[] {
  const listed = action.ForwardConfig?.TargetGroups;
  const targets = listed?.length
    ? listed.map((t) => ({ arn: t.TargetGroupArn ?? "", weight: t.Weight ?? 1 }))
    : action.TargetGroupArn
      ? [{ arn: action.TargetGroupArn, weight: 1 }]
      : [];
  // With one target group the weight means nothing.
  return targets.length === 1 ? [{ arn: targets[0]?.arn ?? "", weight: null }] : targets;
}

export function normalizeAction(
  action: Action,
  position: { key: string; via: string },
  uses: TargetGroupUse[],
): NormalizedAction {
  const type = action.Type ?? "";
  switch (type) {
    case "forward": {
      const targets = forwardTargets(action);
      for (const t of targets)
        uses.push({ key: `${position.key}/w${t.weight ?? 1}`, arn: t.arn, via: position.via });
      const stickiness = action.ForwardConfig?.TargetGroupStickinessConfig;
      const set: ForwardTarget[] = targets.map((t) => ({
        group: ref("target-group", t.arn, targetGroupName(t.arn)),
        weight: t.weight,
      }));
      return {
        type,
        targetGroups: { $set: set },
        stickiness: stickiness?.Enabled
          ? { enabled: true, durationSeconds: stickiness.DurationSeconds ?? null }
          : { enabled: false },
      };
    }
    case "redirect":
      return { type, redirect: { ...REDIRECT_DEFAULTS, ...stripUndefined(action.RedirectConfig ?? {}) } };
    case "fixed-response":
      return { type, fixedResponse: stripUndefined(action.FixedResponseConfig ?? {}) };
    case "authenticate-oidc": {
      // The client secret is never returned; the rest says which identity provider is used.
      const {
        ClientSecret: _secret,
        UseExistingClientSecret: _use,
        ...oidc
      } = action.AuthenticateOidcConfig ?? {};
      return { type, oidc: stripUndefined(oidc) };
    }
    case "authenticate-cognito": {
      // Pool and client ids are regional; the domain and behaviour are what must match.
      const { UserPoolArn, UserPoolClientId: _client, ...cognito } = action.AuthenticateCognitoConfig ?? {};
      return { type, cognito: { ...stripUndefined(cognito), userPool: UserPoolArn ? "(set)" : "(not set)" } };
    }
    default:
      return { type };
  }
}

function stripUndefined<T extends object>(value: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null));
}

export function normalizeCondition(condition: RuleCondition): Record<string, unknown> {
  const field = condition.Field ?? "";
  const sorted = (values: (string | undefined)[] | undefined) =>
    [...(values ?? [])].filter((v): v is string => v !== undefined).sort();
  switch (field) {
    case "host-header":
      return { field, values: sorted(condition.HostHeaderConfig?.Values ?? condition.Values) };
    case "path-pattern":
      return { field, values: sorted(condition.PathPatternConfig?.Values ?? condition.Values) };
    case "http-header":
      return {
        field,
        header: condition.HttpHeaderConfig?.HttpHeaderName?.toLowerCase() ?? "",
        values: sorted(condition.HttpHeaderConfig?.Values),
      };
    case "http-request-method":
      return { field, values: sorted(condition.HttpRequestMethodConfig?.Values) };
    case "query-string":
      return {
        field,
        values: sorted(condition.QueryStringConfig?.Values?.map((kv) => `${kv.Key ?? ""}=${kv.Value ?? ""}`)),
      };
    case "source-ip":
      return { field, values: sorted(condition.SourceIpConfig?.Values) };
    default:
      return { field, values: sorted(condition.Values) };
  }
}

const byOrder = (a: Action, b: Action) => (a.Order ?? 0) - (b.Order ?? 0);

/**
 * A listener as meaning: certificates and target groups by reference, rules keyed by priority
 * (the default rule is the listener's default actions), conditions and values sorted.
 */
export function normalizeListener(
  listener: Listener,
  rules: ElbRule[],
  certificates: Certificate[],
): NormalizedListener {
  const port = listener.Port ?? 0;
  const uses: TargetGroupUse[] = [];
  const defaultActions = [...(listener.DefaultActions ?? [])]
    .sort(byOrder)
    .map((a, i) =>
      normalizeAction(a, { key: `${port}/default/${i}`, via: `port ${port} default action` }, uses),
    );
  const normalizedRules: Record<string, NormalizedRule> = {};
  for (const rule of rules) {
    if (rule.IsDefault || rule.Priority === "default") continue;
    const priority = rule.Priority ?? "";
    normalizedRules[priority] = {
      conditions: (rule.Conditions ?? [])
        .map(normalizeCondition)
        .sort((a, b) => String(a.field).localeCompare(String(b.field))),
      actions: [...(rule.Actions ?? [])]
        .sort(byOrder)
        .map((a, i) =>
          normalizeAction(
            a,
            { key: `${port}/rule/${priority}/${i}`, via: `port ${port} rule ${priority}` },
            uses,
          ),
        ),
    };
  }
  // AWS's DescribeListeners returns only the default certificate; DescribeListenerCertificates
  // returns all of them with IsDefault set. Some implementations list SNI ones in both.
  const fromCall = certificates.filter((c) => c.CertificateArn);
  const defaultArn =
    fromCall.find((c) => c.IsDefault)?.CertificateArn ?? listener.Certificates?.[0]?.CertificateArn ?? null;
  const sniArns = [
    ...new Set(
      fromCall
        .filter((c) => !c.IsDefault && c.CertificateArn !== defaultArn)
        .map((c) => c.CertificateArn ?? ""),
    ),
  ].sort();
  return {
    arn: listener.ListenerArn ?? "",
    port,
    protocol: listener.Protocol ?? "",
    sslPolicy: listener.SslPolicy ?? null,
    alpn: [...(listener.AlpnPolicy ?? [])].sort(),
    defaultActions,
    rules: normalizedRules,
    certificates: { defaultArn, sniArns },
    targetGroupUses: uses,
  };
}
