import type { CertificateDetail } from "@aws-sdk/client-acm";

export interface NormalizedCertificate {
  /** Which certificate it is (not compared: twins are matched by domain). */
  arn: string;
  source: "acm" | "iam";
  /** The domain it is matched by: ACM's DomainName, or "iam:NAME" for an IAM server certificate. */
  domain: string;
  subjectAlternativeNames: string[];
  status: string | null;
  keyAlgorithm: string | null;
  notAfter: string | null;
  /** Whether it is its listener's default certificate (the others are served by SNI). */
  isDefault: boolean;
}

export function normalizeAcmCertificate(
  detail: CertificateDetail,
  isDefault: boolean,
): NormalizedCertificate {
  return {
    arn: detail.CertificateArn ?? "",
    source: "acm",
    domain: (detail.DomainName ?? "").toLowerCase(),
    subjectAlternativeNames: [
      ...new Set((detail.SubjectAlternativeNames ?? []).map((n) => n.toLowerCase())),
    ].sort(),
    status: detail.Status ?? null,
    keyAlgorithm: detail.KeyAlgorithm ?? null,
    notAfter: detail.NotAfter ? new Date(detail.NotAfter).toISOString() : null,
    isDefault,
  };
}

/** IAM server certificates have no ACM details; drctl knows them by name and does not fail the pair. */
export function normalizeIamCertificate(arn: string, isDefault: boolean): NormalizedCertificate {
  const name = arn.split("/").pop() ?? arn;
  return {
    arn,
    source: "iam",
    domain: `iam:${name}`,
    subjectAlternativeNames: [],
    status: null,
    keyAlgorithm: null,
    notAfter: null,
    isDefault,
  };
}
