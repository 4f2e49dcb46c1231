/**
 * Whether the standby's account can reserve the primary's concurrency in its region: the
 * account's concurrent executions (Service Quotas, lambda L-B99A9384; else what GetAccountSettings
 * says), less what the region's other functions reserve, less the 100 AWS always keeps unreserved.
 */
import { GetAccountSettingsCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mapAwsError } from "../../aws/errors.js";
import type { RegionCache } from "../../aws/region-cache.js";
import { QUOTAS, quotaIn, type QuotaReading } from "../../aws/service-quotas.js";
import type { Difference } from "../../core/rule.js";
import { increaseCommand, uncheckedQuota } from "../quota-check.js";

/** AWS keeps this much of an account's concurrency unreserved in each region. */
export const UNRESERVED_MINIMUM = 100;

/** The standby region's account concurrency, as read on the standby side. */
export interface AccountConcurrency {
  region: string;
  quota: QuotaReading;
  /** GetAccountSettings: the account's concurrent executions and how many no function reserves. */
  settings?: { limit: number; unreserved: number };
  /** Why GetAccountSettings could not be read. */
  settingsError?: string;
}

type Settings = Pick<AccountConcurrency, "settings" | "settingsError">;

/** GetAccountSettings of the region, read once for every function there. */
function accountSettings(cache: RegionCache): Promise<Settings> {
  return cache.once("lambda-account-settings", async () => {
    try {
      const out = await cache.client(LambdaClient).send(new GetAccountSettingsCommand({}));
      const limit = out.AccountLimit?.ConcurrentExecutions;
      const unreserved = out.AccountLimit?.UnreservedConcurrentExecutions;
      if (limit === undefined || unreserved === undefined)
        return { settingsError: "GetAccountSettings gave no concurrency limit" };
      return { settings: { limit, unreserved } };
    } catch (err) {
      const mapped = mapAwsError(err, cache.site("Lambda", "GetAccountSettings"));
      return { settingsError: mapped.message.split("\n")[0] ?? mapped.message };
    }
  });
}

/** The region's account concurrency: its quota and its settings, each read once a region. */
export async function accountConcurrency(cache: RegionCache): Promise<AccountConcurrency> {
  const [quota, settings] = await Promise.all([
    quotaIn(cache, QUOTAS.lambdaConcurrency),
    accountSettings(cache),
  ]);
  return { region: cache.region, quota, ...settings };
}

const PATH = "accountConcurrency";

/**
 * The primary's reserved concurrency against what the standby's account can reserve for this
 * function: its concurrency less what the region's other functions reserve, less 100.
 */
export function concurrencyQuotaCheck(
  primaryReserved: number | null,
  standbyReserved: number | null,
  account: AccountConcurrency | undefined,
): Difference[] {
  // A standby that already reserves as much needs nothing more of its account.
  if (!primaryReserved || !account || (standbyReserved ?? 0) >= primaryReserved) return [];
  const { quota, region, settings } = account;
  if (!settings)
    return [
      uncheckedQuota(
        PATH,
        quota,
        region,
        `what the region's functions reserve could not be read (${account.settingsError ?? "not read"})`,
      ),
    ];
  const limit = quota.value ?? settings.limit;
  const others = settings.limit - settings.unreserved - (standbyReserved ?? 0);
  const room = limit - others - UNRESERVED_MINIMUM;
  if (primaryReserved <= room) return [];
  const needed = primaryReserved + others + UNRESERVED_MINIMUM;
  return [
    {
      path: PATH,
      primary: primaryReserved,
      secondary: Math.max(0, room),
      message:
        `the primary reserves ${primaryReserved} concurrent executions, but in ${region} the account's ${limit} ` +
        `(quota ${quota.code}${quota.value === undefined ? ", from GetAccountSettings" : ""}) less ${others} reserved by other functions ` +
        `and the ${UNRESERVED_MINIMUM} AWS keeps unreserved leave ${Math.max(0, room)} for the standby: ` +
        increaseCommand(quota, needed, region),
    },
  ];
}
