import { differ } from "../../core/compare.js";
import type { Difference, Rule, ScanSettings } from "../../core/rule.js";
import type { NormalizedCertificate } from "./normalize.js";

type CertRule = Rule<NormalizedCertificate>;

const DAY = 24 * 3600 * 1000;

function expiryOf(
  cert: NormalizedCertificate,
  side: "primary" | "standby",
  settings: ScanSettings,
): Difference | undefined {
  if (!cert.notAfter) return undefined;
  const days = Math.floor((Date.parse(cert.notAfter) - settings.now.getTime()) / DAY);
  if (days > settings.certificateExpiryDays) return undefined;
  const when = cert.notAfter.slice(0, 10);
  return {
    path: "notAfter",
    primary: side === "primary" ? cert.notAfter : null,
    secondary: side === "standby" ? cert.notAfter : null,
    severity: days < 0 ? "critical" : "high",
    message:
      days < 0
        ? `the ${side}'s certificate for ${cert.domain} expired on ${when}`
        : `the ${side}'s certificate for ${cert.domain} expires on ${when}, in ${days} days (threshold ${settings.certificateExpiryDays})`,
  };
}

export const certificateRules: CertRule[] = [
  {
    id: "certificate.default",
    resourceType: "certificate",
    severity: "high",
    title: "Default certificate",
    compares:
      "whether the certificate for a domain is the listener's default (served to clients without SNI) on both sides",
    rationale:
      "Clients that send no SNI get a certificate for another name from the standby and fail the TLS handshake.",
    remediation:
      "Make the same domain's certificate the default of the standby listener (modify-listener --certificates).",
    check: (p, s) =>
      differ(
        "isDefault",
        p.isDefault,
        s.isDefault,
        `the certificate for ${p.domain} is ${s.isDefault ? "the default" : "an SNI certificate"} on the standby but ${p.isDefault ? "the default" : "an SNI certificate"} on the primary`,
      ),
  },
  {
    id: "certificate.subject-alternative-names",
    resourceType: "certificate",
    severity: "high",
    title: "Subject alternative names",
    compares: "the set of names each certificate covers",
    rationale:
      "A name the primary's certificate covers and the standby's does not fails TLS validation after failover.",
    remediation:
      "Request or import a standby certificate that covers the same names, and attach it to the listener.",
    check: (p, s) =>
      differ(
        "subjectAlternativeNames",
        p.subjectAlternativeNames,
        s.subjectAlternativeNames,
        `the standby's certificate for ${p.domain} covers ${s.subjectAlternativeNames.join(", ")}; the primary's covers ${p.subjectAlternativeNames.join(", ")}`,
      ),
  },
  {
    id: "certificate.status",
    resourceType: "certificate",
    severity: "critical",
    title: "Certificate status",
    compares: "the ACM status of each certificate (anything but ISSUED on either side is a finding)",
    rationale:
      "A certificate that is not ISSUED (expired, revoked, pending validation) cannot serve traffic.",
    remediation: "Renew, re-validate or re-import the certificate in the region where it is not ISSUED.",
    check: (p, s) =>
      (
        [
          ["primary", p],
          ["standby", s],
        ] as const
      ).flatMap(([side, c]) =>
        c.source === "acm" && c.status !== "ISSUED"
          ? [
              {
                path: "status",
                primary: p.status,
                secondary: s.status,
                message: `the ${side}'s certificate for ${c.domain} is ${String(c.status)}, not ISSUED`,
              },
            ]
          : [],
      ),
  },
  {
    id: "certificate.expiry",
    resourceType: "certificate",
    severity: "high",
    title: "Certificate expiry",
    compares:
      "each side's NotAfter against `scan.certificateExpiryDays` (default 30); an expired one is critical",
    rationale:
      "An imported standby certificate is easy to forget when the primary's is renewed; it then expires unseen until the day of failover.",
    remediation:
      "Renew the certificate (or re-import the renewed one) in the region named, before the date given.",
    check: (p, s, settings) =>
      [expiryOf(p, "primary", settings), expiryOf(s, "standby", settings)].filter(
        (d): d is Difference => d !== undefined,
      ),
  },
  {
    id: "certificate.key-algorithm",
    resourceType: "certificate",
    severity: "low",
    title: "Key algorithm",
    compares: "the key algorithm (RSA_2048, EC_prime256v1, ...)",
    rationale: "Old clients that handle only RSA fail against an ECDSA-only standby.",
    remediation: "Issue the standby certificate with the primary's key algorithm.",
    check: (p, s) =>
      differ(
        "keyAlgorithm",
        p.keyAlgorithm,
        s.keyAlgorithm,
        `the standby's certificate for ${p.domain} uses ${String(s.keyAlgorithm)}, the primary's ${String(p.keyAlgorithm)}`,
      ),
  },
];
