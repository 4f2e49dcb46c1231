import type { HealthCheckConfig } from "@aws-sdk/client-route-53";
import { describe, expect, it } from "vitest";
import { normalizeHealthCheck } from "./normalize.js";

const of = (config: HealthCheckConfig) =>
  normalizeHealthCheck({
    check: { Id: "x", CallerReference: "r", HealthCheckConfig: config, HealthCheckVersion: 1 },
    name: "x",
    tags: {},
  });

describe("normalizeHealthCheck", () => {
  it("says the IP family by the address's form, and only whether an address and a name are set", () => {
    const v6 = of({
      Type: "HTTP",
      IPAddress: "2001:db8::1",
      FullyQualifiedDomainName: "api.euw1.example.com",
    });
    const v4 = of({ Type: "HTTP", IPAddress: "192.0.2.10" });
    expect([v6.addressFamily, v6.ipAddressSet, v6.domainNameSet]).toEqual(["IPv6", true, true]);
    expect([v4.addressFamily, v4.ipAddressSet, v4.domainNameSet]).toEqual(["IPv4", true, false]);
    expect(JSON.stringify(v6)).not.toMatch(/2001|example/);
  });

  it("keys the alarm followed by its name without its region's code", () => {
    const east = of({
      Type: "CLOUDWATCH_METRIC",
      AlarmIdentifier: { Region: "us-east-1", Name: "api-5xx-use1" },
    });
    const west = of({
      Type: "CLOUDWATCH_METRIC",
      AlarmIdentifier: { Region: "eu-west-1", Name: "api-5xx-euw1" },
    });
    expect(east.alarm).toBe(west.alarm);
    expect([east.alarmName, west.alarmName]).toEqual(["api-5xx-use1", "api-5xx-euw1"]);
  });

  it("counts a calculated check's children and keeps its threshold; other types have neither", () => {
    const calc = of({ Type: "CALCULATED", ChildHealthChecks: ["a", "b", "c"], HealthThreshold: 2 });
    expect([calc.childCount, calc.healthThreshold]).toEqual([3, 2]);
    expect([of({ Type: "TCP" }).childCount, of({ Type: "TCP" }).healthThreshold]).toEqual([null, null]);
  });
});
