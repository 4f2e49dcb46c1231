import type { LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ResourceModule, Twin, Unmatched } from "../module.js";
import type { Collector } from "../side.js";
import type { TwinLink } from "../../core/twins.js";
import type { ScanSettings } from "../../core/rule.js";
import type { RuleInfo } from "../../core/finding.js";
import { listenersCollector } from "../listener/index.js";
import { CERTIFICATE_PERMISSIONS, collectCertificates } from "./collect.js";
import type { NormalizedCertificate } from "./normalize.js";
import { certificateRules } from "./rules.js";

export const certificatesCollector: Collector<
  Map<number, Map<string, NormalizedCertificate>>,
  LoadBalancer
> = {
  type: "certificate",
  async collect(side) {
    return collectCertificates(side.cache, await side.get(listenersCollector));
  },
};

const missingCertificate: RuleInfo = {
  id: "certificate.missing",
  resourceType: "certificate",
  severity: "high",
  title: "Certificate for a domain on one side only",
  compares: "the domains of the default and SNI certificates of listeners on the same port",
  rationale: "Clients of a domain the standby has no certificate for get a name mismatch after failover.",
  remediation:
    "Request or import a certificate for the domain in the standby region and add it to the listener.",
};

export const certificateModule: ResourceModule<NormalizedCertificate, LoadBalancer> = {
  type: "certificate",
  title: "Certificates",
  permissions: CERTIFICATE_PERMISSIONS,
  rules: certificateRules,
  missingRule: missingCertificate,
  async twins(primary, standby, context) {
    const [p, s] = await Promise.all([
      primary.get(certificatesCollector),
      standby.get(certificatesCollector),
    ]);
    const twins: Twin<NormalizedCertificate>[] = [];
    const links: TwinLink[] = [];
    const unmatched: Unmatched[] = [];
    // Only ports both sides listen on: a missing listener is the listener module's finding.
    for (const [port, pCerts] of p) {
      const sCerts = s.get(port) ?? new Map<string, NormalizedCertificate>();
      for (const domain of [...new Set([...pCerts.keys(), ...sCerts.keys()])].sort()) {
        const [a, b] = [pCerts.get(domain), sCerts.get(domain)];
        const label = `listeners[${port}].certificates[${domain}]`;
        if (a && b) {
          twins.push({ label, primary: a, secondary: b });
          links.push({
            primary: { id: a.arn, name: domain },
            standby: { id: b.arn, name: domain },
            method: "pair",
            via: `port ${port}, domain ${domain}`,
          });
        } else
          unmatched.push({
            path: label,
            primary: a ? domain : null,
            secondary: b ? domain : null,
            status: "missing",
            // Its ARN, so a change to it (a renewal ACM announces) re-reads the pair.
            about: a ? [{ role: "primary", id: a.arn }] : b ? [{ role: "standby", id: b.arn }] : [],
            message: a
              ? `the standby's port ${port} has no certificate for ${domain}`
              : `the standby's port ${port} has a certificate for ${domain} that the primary lacks`,
          });
      }
    }
    const recheckAt = nextExpiryCrossing([...p.values(), ...s.values()], context.settings);
    return { twins, unmatched, links, ...(recheckAt ? { recheckAt } : {}) };
  },
};

const DAY_MS = 86_400_000;

/**
 * The next time a certificate's expiry finding changes with nothing else changing: when it comes
 * within the threshold, then when it expires.
 */
function nextExpiryCrossing(
  byPort: Map<string, NormalizedCertificate>[],
  settings: ScanSettings | undefined,
): string | undefined {
  if (!settings) return undefined;
  const now = settings.now.getTime();
  const times = byPort
    .flatMap((certs) => [...certs.values()])
    .flatMap((c) => (c.notAfter ? [Date.parse(c.notAfter)] : []))
    .flatMap((t) => [t - settings.certificateExpiryDays * DAY_MS, t])
    .filter((t) => Number.isFinite(t) && t > now);
  return times.length > 0 ? new Date(Math.min(...times)).toISOString() : undefined;
}
