import { ops } from "../../aws/services.js";
import { ACMClient, DescribeCertificateCommand, type CertificateDetail } from "@aws-sdk/client-acm";
import { mapAwsError } from "../../aws/errors.js";
import type { RegionCache } from "../../aws/region-cache.js";
import type { NormalizedListener } from "../listener/normalize.js";
import { normalizeAcmCertificate, normalizeIamCertificate, type NormalizedCertificate } from "./normalize.js";

export const CERTIFICATE_PERMISSIONS = ops("ACM", "DescribeCertificate");

/** One ACM certificate's details; certificates are shared by many listeners, so each is read once. */
function describeCertificate(cache: RegionCache, arn: string): Promise<CertificateDetail> {
  return cache.once(`certificate:${arn}`, async () => {
    try {
      const out = await cache.client(ACMClient).send(new DescribeCertificateCommand({ CertificateArn: arn }));
      return out.Certificate ?? {};
    } catch (err) {
      throw mapAwsError(err, cache.site("ACM", "DescribeCertificate"));
    }
  });
}

/** Listener port -> its certificates by domain. Each ACM certificate is described once per scan. */
export async function collectCertificates(
  cache: RegionCache,
  listeners: readonly NormalizedListener[],
): Promise<Map<number, Map<string, NormalizedCertificate>>> {
  const byPort = new Map<number, Map<string, NormalizedCertificate>>();
  await Promise.all(
    listeners.map(async (listener) => {
      const { defaultArn, sniArns } = listener.certificates;
      const arns = [...(defaultArn ? [defaultArn] : []), ...sniArns];
      const certs = await Promise.all(
        arns.map(async (arn) => {
          const isDefault = arn === defaultArn;
          if (arn.includes(":iam::")) return normalizeIamCertificate(arn, isDefault);
          return normalizeAcmCertificate(await describeCertificate(cache, arn), isDefault);
        }),
      );
      if (certs.length > 0) byPort.set(listener.port, new Map(certs.map((c) => [c.domain, c])));
    }),
  );
  return byPort;
}
