import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedCertificate } from "./normalize.js";

const cert = (over: Partial<NormalizedCertificate> = {}): NormalizedCertificate => ({
  arn: "arn:aws:acm:us-east-1:123456789012:certificate/1",
  source: "acm",
  domain: "shop.example.com",
  subjectAlternativeNames: ["shop.example.com", "www.shop.example.com"],
  status: "ISSUED",
  keyAlgorithm: "RSA_2048",
  notAfter: "2027-06-01T00:00:00.000Z",
  isDefault: true,
  ...over,
});
const standby = (over: Partial<NormalizedCertificate> = {}) =>
  cert({ arn: "arn:aws:acm:us-west-2:123456789012:certificate/2", ...over });

export const cases: RuleCases<NormalizedCertificate> = {
  "certificate.default": {
    pass: [cert(), standby()],
    fail: [cert(), standby({ isDefault: false })],
    paths: ["isDefault"],
  },
  "certificate.subject-alternative-names": {
    pass: [cert(), standby()],
    fail: [cert(), standby({ subjectAlternativeNames: ["shop.example.com"] })],
    paths: ["subjectAlternativeNames"],
  },
  "certificate.status": {
    pass: [cert(), standby()],
    fail: [cert(), standby({ status: "PENDING_VALIDATION" })],
    paths: ["status"],
  },
  "certificate.expiry": {
    pass: [cert(), standby()],
    // 2026-12-01 in the settings: one expiring within 30 days, one expired.
    fail: [cert({ notAfter: "2026-11-20T00:00:00.000Z" }), standby({ notAfter: "2026-12-11T00:00:00.000Z" })],
    paths: ["notAfter", "notAfter"],
  },
  "certificate.key-algorithm": {
    pass: [cert(), standby()],
    fail: [cert(), standby({ keyAlgorithm: "EC_prime256v1" })],
    paths: ["keyAlgorithm"],
  },
};
