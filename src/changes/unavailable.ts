import { AwsError, mapAwsError, type CallSite } from "../aws/errors.js";
import type { ChangeSource, SignalReport } from "../core/changes.js";

/** A call whose failure is named by its site (service, operation, region, account). */
export async function attempt<T>(site: CallSite, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw mapAwsError(err, site);
  }
}

/**
 * Why a signal could not be read, on one line (AWS's messages may hold line breaks), naming the
 * call and region: an AWS error says the call that failed, anything else gets `site` in front.
 */
export function reasonOf(err: unknown, site: CallSite): string {
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").trim();
  if (err instanceof AwsError) return message;
  return `${site.service}.${site.operation} in ${site.region}: ${message || "unknown error"}`;
}

/** What a signal says when it cannot be used here: no changes, and why (the sweep covers what it would have). */
export function unavailable(
  source: ChangeSource,
  region: string,
  account: string | undefined,
  reason: string,
): SignalReport {
  return { source, region, ...(account ? { account } : {}), changes: [], unavailable: reason };
}

/** What a signal says when it heard more changes than are worth mapping: the scan reads every pair instead. */
export function overflowed(
  source: ChangeSource,
  region: string,
  account: string | undefined,
  reason: string,
): SignalReport {
  return { ...unavailable(source, region, account, reason), overflow: true };
}

/** The time `seconds` before `since`: what a signal reads back to, for clock skew and delivery delay. */
export function lookBack(since: Date, seconds: number): Date {
  return new Date(since.getTime() - Math.max(0, seconds) * 1000);
}
