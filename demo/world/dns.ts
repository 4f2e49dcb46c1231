import {
  ChangeResourceRecordSetsCommand,
  CreateHealthCheckCommand,
  CreateHostedZoneCommand,
  type Change,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import { regionTag } from "./options.js";

export interface DnsPair {
  name: string;
  primary: { name: string; dnsName: string; canonicalHostedZoneId: string };
  standby: { name: string; dnsName: string; canonicalHostedZoneId: string };
  /** Leave out the standby's regional alias record (a planted difference). */
  skipStandbyAlias?: boolean;
}

const MAX_CHANGES_PER_BATCH = 1000;

/**
 * A public zone with, per pair: a regional alias record for each load balancer and a failover
 * record set (PRIMARY with a health check, SECONDARY) under the pair's service name.
 */
export async function buildDns(
  route53: Route53Client,
  options: { domain: string; primaryRegion: string; standbyRegion: string; pairs: DnsPair[] },
): Promise<{ hostedZoneId: string; records: number; healthChecks: number }> {
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: options.domain, CallerReference: `drctl-demo-${Date.now()}` }),
  );
  const hostedZoneId = (zone.HostedZone?.Id ?? "").replace("/hostedzone/", "");
  const changes: Change[] = [];
  for (const pair of options.pairs) {
    const health = await route53.send(
      new CreateHealthCheckCommand({
        CallerReference: `drctl-demo-${pair.name}-${Date.now()}`,
        HealthCheckConfig: {
          Type: "HTTPS",
          FullyQualifiedDomainName: pair.primary.dnsName,
          ResourcePath: "/health",
          Port: 443,
          RequestInterval: 30,
          FailureThreshold: 3,
        },
      }),
    );
    const alias = (side: DnsPair["primary"]) => ({
      DNSName: side.dnsName,
      HostedZoneId: side.canonicalHostedZoneId,
      EvaluateTargetHealth: true,
    });
    const record = (Name: string, side: DnsPair["primary"], extra: object = {}): Change => ({
      Action: "CREATE",
      ResourceRecordSet: { Name, Type: "A", AliasTarget: alias(side), ...extra },
    });
    const service = `${pair.name}.${options.domain}`;
    // Each load balancer's own regional name, after its own name: web-002.use1 and web-002-s.usw2.
    changes.push(
      record(`${pair.primary.name}.${regionTag(options.primaryRegion)}.${options.domain}`, pair.primary),
    );
    if (!pair.skipStandbyAlias) {
      changes.push(
        record(`${pair.standby.name}.${regionTag(options.standbyRegion)}.${options.domain}`, pair.standby),
      );
    }
    changes.push(
      record(service, pair.primary, {
        SetIdentifier: `${pair.name}-primary`,
        Failover: "PRIMARY",
        HealthCheckId: health.HealthCheck?.Id,
      }),
    );
    changes.push(
      record(service, pair.standby, { SetIdentifier: `${pair.name}-secondary`, Failover: "SECONDARY" }),
    );
  }
  for (let i = 0; i < changes.length; i += MAX_CHANGES_PER_BATCH) {
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: hostedZoneId,
        ChangeBatch: { Comment: "drctl demo world", Changes: changes.slice(i, i + MAX_CHANGES_PER_BATCH) },
      }),
    );
  }
  return { hostedZoneId, records: changes.length, healthChecks: options.pairs.length };
}
