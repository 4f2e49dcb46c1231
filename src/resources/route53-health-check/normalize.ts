import { nameKey } from "../../core/twin-names.js";
import type { DescribedHealthCheck } from "./pairing.js";

/**
 * What the rules compare of a health check: how it checks, never what it checks (the endpoint's
 * address and domain name differ per region by design), and the alarm it follows by its name
 * without region codes (api-5xx-use1 and api-5xx-euw1 are twins).
 */
export interface NormalizedHealthCheck {
  type: string;
  /** IPv4 or IPv6 by the form of its IP address; null when it checks a domain name only. */
  addressFamily: "IPv4" | "IPv6" | null;
  /** Whether an IP address and a domain name are set (their values are regional). */
  ipAddressSet: boolean;
  domainNameSet: boolean;
  port: number | null;
  resourcePath: string | null;
  searchString: string | null;
  requestInterval: number | null;
  failureThreshold: number | null;
  /** The regions it checks from; empty: AWS's default set. */
  regions: { $set: string[] };
  inverted: boolean;
  disabled: boolean;
  measureLatency: boolean;
  enableSni: boolean;
  insufficientDataHealthStatus: string | null;
  /** The alarm it follows, as a name key without region codes and role words; null: none. */
  alarm: string | null;
  /** The alarm's name, for messages. */
  alarmName: string | null;
  childCount: number | null;
  healthThreshold: number | null;
}

/** The name of an alarm without what differs between regions, for comparing twins' alarms. */
export function alarmKey(name: string, region: string): string {
  return nameKey(name, { region, ownName: "", otherName: "" });
}

export function normalizeHealthCheck(d: DescribedHealthCheck): NormalizedHealthCheck {
  const c = d.check.HealthCheckConfig;
  const ip = c?.IPAddress?.trim() || undefined;
  const alarm = c?.AlarmIdentifier;
  const calculated = c?.Type === "CALCULATED";
  return {
    type: c?.Type ?? "",
    addressFamily: ip === undefined ? null : ip.includes(":") ? "IPv6" : "IPv4",
    ipAddressSet: ip !== undefined,
    domainNameSet: (c?.FullyQualifiedDomainName ?? "").trim() !== "",
    port: c?.Port ?? null,
    resourcePath: c?.ResourcePath ?? null,
    searchString: c?.SearchString ?? null,
    requestInterval: c?.RequestInterval ?? null,
    failureThreshold: c?.FailureThreshold ?? null,
    regions: { $set: [...(c?.Regions ?? [])].sort() },
    inverted: c?.Inverted ?? false,
    disabled: c?.Disabled ?? false,
    measureLatency: c?.MeasureLatency ?? false,
    enableSni: c?.EnableSNI ?? false,
    insufficientDataHealthStatus: c?.InsufficientDataHealthStatus ?? null,
    alarm: alarm?.Name ? alarmKey(alarm.Name, alarm.Region ?? "") : null,
    alarmName: alarm?.Name ?? null,
    childCount: calculated ? (c?.ChildHealthChecks?.length ?? 0) : null,
    healthThreshold: calculated ? (c?.HealthThreshold ?? 0) : null,
  };
}
