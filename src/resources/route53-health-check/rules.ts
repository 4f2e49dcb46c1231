import { differ, show } from "../../core/compare.js";
import type { Rule } from "../../core/rule.js";
import type { NormalizedHealthCheck } from "./normalize.js";

type HealthCheckRule = Rule<NormalizedHealthCheck>;
type Meta = Omit<HealthCheckRule, "check" | "resourceType">;

const base = { resourceType: "route53-health-check" } as const;

/** A rule on one field of both checks; `say` writes a value in words for the message. */
function field<K extends keyof NormalizedHealthCheck>(
  key: K,
  what: string,
  meta: Meta,
  say: (v: NormalizedHealthCheck[K]) => string = show,
): HealthCheckRule {
  return {
    ...base,
    ...meta,
    check: (p, s) =>
      differ(key, p[key], s[key], `the standby's ${what} is ${say(s[key])}, the primary's ${say(p[key])}`),
  };
}

const onOff = (v: boolean) => (v ? "on" : "off");
const seconds = (v: number | null) => (v === null ? "(not set)" : `${v} seconds`);
const regionsSaid = (v: { $set: string[] }) =>
  v.$set.length === 0 ? "AWS's default regions" : v.$set.join(", ");

const howItChecks: HealthCheckRule[] = [
  field("type", "type", {
    id: "route53-health-check.type",
    severity: "high",
    title: "Health check type",
    compares: "the Type (HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP, CALCULATED, CLOUDWATCH_METRIC)",
    rationale:
      "A check of another type tests something else: an HTTPS service checked over TCP looks healthy when it is not.",
    remediation:
      "Recreate the standby's health check with the primary's type (the type cannot be changed in place).",
  }),
  {
    ...base,
    id: "route53-health-check.address-family",
    severity: "medium",
    title: "IP address family",
    compares:
      "whether the IP address checked is IPv4 or IPv6 (by its form; never the address itself), when both checks name an IP address",
    rationale:
      "A standby checked over the other IP family can be reported healthy while the family clients use is down.",
    remediation:
      "Point the standby's check at an address of the primary's family (aws route53 update-health-check --ip-address).",
    // A check without an IP address is the endpoint rule's difference, not a family's.
    check: (p, s) =>
      p.addressFamily === null || s.addressFamily === null
        ? []
        : differ(
            "addressFamily",
            p.addressFamily,
            s.addressFamily,
            `the standby's check reaches its endpoint over ${s.addressFamily}, the primary's over ${p.addressFamily}`,
          ),
  },
  {
    ...base,
    id: "route53-health-check.endpoint",
    severity: "medium",
    title: "How the endpoint is named",
    compares:
      "whether an IP address and whether a domain name are set (their values differ per region and are not compared)",
    rationale:
      "A check by IP address alone sends no Host header or SNI name; one by name follows DNS. The two sides should reach their endpoints alike.",
    remediation:
      "Set the standby's check to name its endpoint as the primary's does (update-health-check --ip-address / --fully-qualified-domain-name).",
    check: (p, s) => [
      ...differ(
        "ipAddressSet",
        p.ipAddressSet,
        s.ipAddressSet,
        `the standby's check ${s.ipAddressSet ? "sets" : "does not set"} an IP address, the primary's ${p.ipAddressSet ? "does" : "does not"}`,
      ),
      ...differ(
        "domainNameSet",
        p.domainNameSet,
        s.domainNameSet,
        `the standby's check ${s.domainNameSet ? "sets" : "does not set"} a domain name, the primary's ${p.domainNameSet ? "does" : "does not"}`,
      ),
    ],
  },
  field("port", "port", {
    id: "route53-health-check.port",
    severity: "high",
    title: "Port",
    compares: "the port checked",
    rationale:
      "A check on another port tests another listener, or nothing: the standby's health says nothing about the service.",
    remediation: "Set the primary's port on the standby's check (update-health-check --port).",
  }),
  field("resourcePath", "resource path", {
    id: "route53-health-check.resource-path",
    severity: "high",
    title: "Resource path",
    compares: "the path requested (/health)",
    rationale: "Another path tests another part of the application, or a page that does not exist.",
    remediation: "Set the primary's path on the standby's check (update-health-check --resource-path).",
  }),
  field("searchString", "search string", {
    id: "route53-health-check.search-string",
    severity: "high",
    title: "Search string",
    compares: "the string a *_STR_MATCH check looks for in the response",
    rationale:
      "Another search string makes the standby healthy or unhealthy on another answer than the primary's.",
    remediation:
      "Set the primary's search string on the standby's check (update-health-check --search-string).",
  }),
  field(
    "requestInterval",
    "request interval",
    {
      id: "route53-health-check.request-interval",
      severity: "medium",
      title: "Request interval",
      compares: "the seconds between checks (10 or 30)",
      rationale: "A slower check notices a failure later: failover and failback take longer on one side.",
      remediation:
        "Recreate the standby's check with the primary's interval (the interval cannot be changed in place).",
    },
    seconds,
  ),
  field("failureThreshold", "failure threshold", {
    id: "route53-health-check.failure-threshold",
    severity: "medium",
    title: "Failure threshold",
    compares: "how many consecutive checks must fail (or pass) to change the status",
    rationale:
      "Another threshold changes how quickly the side is declared unhealthy, and so when traffic moves.",
    remediation:
      "Set the primary's threshold on the standby's check (update-health-check --failure-threshold).",
  }),
  field(
    "regions",
    "checker regions",
    {
      id: "route53-health-check.regions",
      severity: "low",
      title: "Checker regions",
      compares: "the set of regions the check is made from (empty: AWS's default set)",
      rationale:
        "Checks from other places see other network paths: one side may be declared down by a partition the other ignores.",
      remediation: "Set the primary's regions on the standby's check (update-health-check --regions).",
    },
    regionsSaid,
  ),
];

const whatItReports: HealthCheckRule[] = [
  field(
    "inverted",
    "inversion",
    {
      id: "route53-health-check.inverted",
      severity: "critical",
      title: "Inverted",
      compares: "whether the status is inverted (healthy when the check fails)",
      rationale:
        "An inverted check on one side only reports the standby healthy when it is down, and the reverse.",
      remediation:
        "Set the primary's inversion on the standby's check (update-health-check --inverted or --no-inverted).",
    },
    onOff,
  ),
  field(
    "disabled",
    "disabling",
    {
      id: "route53-health-check.disabled",
      severity: "high",
      title: "Disabled",
      compares:
        "whether the check is disabled (Route 53 then treats it as healthy, whatever the endpoint does)",
      rationale: "A disabled check is always healthy: traffic is sent to its side even when it is down.",
      remediation: "Enable the check as on the primary (update-health-check --no-disabled).",
    },
    onOff,
  ),
  field(
    "measureLatency",
    "latency measurement",
    {
      id: "route53-health-check.measure-latency",
      severity: "low",
      title: "Latency measured",
      compares: "MeasureLatency",
      rationale:
        "Without it, the standby's latency graphs are missing when they are wanted, during a failover.",
      remediation:
        "Recreate the standby's check with latency measurement as on the primary (it cannot be changed in place).",
    },
    onOff,
  ),
  field(
    "enableSni",
    "SNI",
    {
      id: "route53-health-check.enable-sni",
      severity: "medium",
      title: "SNI",
      compares: "EnableSNI: whether the check sends the host name in the TLS handshake",
      rationale:
        "Without SNI an endpoint that serves several certificates may answer with the wrong one and fail the check.",
      remediation: "Set the primary's value on the standby's check (update-health-check --enable-sni).",
    },
    onOff,
  ),
  field("insufficientDataHealthStatus", "status on insufficient data", {
    id: "route53-health-check.insufficient-data",
    severity: "medium",
    title: "Status when the alarm has insufficient data",
    compares: "InsufficientDataHealthStatus (Healthy, Unhealthy, LastKnownStatus) of an alarm-based check",
    rationale:
      "A standby that turns unhealthy (or healthy) on missing data moves traffic on another condition than the primary.",
    remediation:
      "Set the primary's value on the standby's check (update-health-check --insufficient-data-health-status).",
  }),
  {
    ...base,
    id: "route53-health-check.alarm",
    severity: "high",
    title: "CloudWatch alarm followed",
    compares:
      "the alarm an alarm-based check follows, by its name without region codes and role words (api-5xx-use1 and api-5xx-euw1 are twins)",
    rationale:
      "A check that follows another alarm, or none, turns unhealthy on another condition than its twin.",
    remediation:
      "Point the standby's check at the standby region's twin of the primary's alarm (update-health-check --alarm-identifier Region=...,Name=...).",
    check: (p, s) =>
      differ(
        "alarm",
        p.alarm,
        s.alarm,
        `the standby's check follows ${s.alarmName === null ? "no alarm" : `alarm ${s.alarmName}`}, the primary's ${p.alarmName === null ? "none" : `alarm ${p.alarmName}`}, which is not its twin by name`,
      ),
  },
  {
    ...base,
    id: "route53-health-check.calculated",
    severity: "high",
    title: "Calculated check: children and threshold",
    compares: "how many child checks a CALCULATED check combines, and how many must be healthy",
    rationale:
      "With fewer children or another threshold the standby's combined status means something else than the primary's.",
    remediation:
      "Set the standby's children and threshold like the primary's (update-health-check --child-health-checks --health-threshold).",
    // Only between two calculated checks: a check of another type is the type rule's difference.
    check: (p, s) =>
      p.childCount === null || s.childCount === null
        ? []
        : [
            ...differ(
              "childCount",
              p.childCount,
              s.childCount,
              `the standby's check combines ${show(s.childCount)} child checks, the primary's ${show(p.childCount)}`,
            ),
            ...differ(
              "healthThreshold",
              p.healthThreshold,
              s.healthThreshold,
              `the standby's check needs ${show(s.healthThreshold)} healthy children, the primary's ${show(p.healthThreshold)}`,
            ),
          ],
  },
];

export const healthCheckRules: HealthCheckRule[] = [...howItChecks, ...whatItReports];
