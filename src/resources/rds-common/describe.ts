/** Shared by the RDS instance and cluster types: their pairing reads resources from region lists. */
import { formatArn, type Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { NotFoundError } from "../../aws/errors.js";
import { pairingCache, type RegionList } from "../../aws/region-cache.js";

/**
 * Resources by ARN from their regions' lists: one listing per region and account whatever the
 * number of ARNs; an ARN the list lacks is not found, a list that cannot be read fails its ARNs.
 */
export async function describeFromList<T>(
  aws: AwsClients,
  arns: readonly Arn[],
  list: RegionList<T>,
  what: string,
): Promise<Map<string, T | Error>> {
  const result = new Map<string, T | Error>();
  await Promise.all(
    arns.map(async (arn) => {
      const text = formatArn(arn);
      const cache = pairingCache(aws, arn.region, arn.account || undefined);
      try {
        const found = (await cache.list(list)).get(text);
        result.set(
          text,
          found ??
            new NotFoundError(
              `not found: ${what} ${text}`,
              cache.site("RDS", list.operation),
              "NotFound",
              undefined,
            ),
        );
      } catch (err) {
        result.set(text, err as Error);
      }
    }),
  );
  return result;
}
