import { z } from "zod";

/**
 * Why a URL with a user or password is refused wherever drctl takes one (drill endpoints, runbook
 * steps, drctl.yaml, --endpoint-url): a URL is printed in plans, journaled, stored with runs and
 * published with reports, so credentials in it would travel with all of them.
 */
export const URL_WITHOUT_CREDENTIALS =
  "expected a URL without a user or password (a URL is printed, journaled and stored; credentials in it would be too)";

/** Whether `text` is a URL that carries a user or a password (user@host, user:password@host). */
export function urlHasCredentials(text: string): boolean {
  try {
    const url = new URL(text.trim());
    return url.username !== "" || url.password !== "";
  } catch {
    // Not a URL the WHATWG parser takes: the authority written as user[:password]@host is still refused.
    return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(text.trim());
  }
}

/**
 * A URL field: every URL-typed field of drctl's files and step kinds is this, so that none takes
 * credentials. `protocol` narrows the schemes (default: any the URL parser takes).
 */
export function urlField(options: { protocol?: RegExp; error?: string } = {}) {
  return z
    .url({
      ...(options.protocol ? { protocol: options.protocol } : {}),
      ...(options.error ? { error: options.error } : {}),
    })
    .refine((u) => !urlHasCredentials(u), URL_WITHOUT_CREDENTIALS);
}
