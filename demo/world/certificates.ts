import { ImportCertificateCommand, type ACMClient } from "@aws-sdk/client-acm";
import { generateKeyPairSync } from "node:crypto";
import forge from "node-forge";

export interface CertificateSpec {
  commonName: string;
  subjectAlternativeNames: string[];
  /** Days from now until it expires. */
  validDays: number;
}

export interface PemCertificate {
  certificate: string;
  privateKey: string;
}

/** A self-signed RSA 2048 certificate: key from Node's crypto, X.509 from node-forge. */
export function makeCertificate(spec: CertificateSpec, serial: number): PemCertificate {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  const key = forge.pki.privateKeyFromPem(privateKey);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  // DER integers may not start with a zero byte: lead with 1 so the serial stays positive and minimal.
  cert.serialNumber = `1${serial.toString(16).padStart(7, "0")}`;
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + spec.validDays * 24 * 3600 * 1000);
  // UTF8String: PrintableString cannot hold the "*" of a wildcard name.
  // (@types/node-forge types valueTagClass as a tag class; forge reads it as the value's tag type.)
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
  const subject = [
    { name: "commonName", value: spec.commonName, valueTagClass: utf8 },
    { name: "organizationName", value: "drctl demo", valueTagClass: utf8 },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: spec.subjectAlternativeNames.map((value) => ({ type: 2, value })) },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { certificate: forge.pki.certificateToPem(cert), privateKey };
}

export async function importCertificate(acm: ACMClient, pem: PemCertificate, name: string): Promise<string> {
  const out = await acm.send(
    new ImportCertificateCommand({
      Certificate: Buffer.from(pem.certificate),
      PrivateKey: Buffer.from(pem.privateKey),
      Tags: [{ Key: "Name", Value: name }],
    }),
  );
  if (!out.CertificateArn) throw new Error(`ImportCertificate ${name} returned no ARN`);
  return out.CertificateArn;
}
