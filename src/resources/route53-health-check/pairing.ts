/**
 * How Route 53 health checks pair. A health check is global: its ARN has no region and no account
 * (arn:aws:route53:::healthcheck/ID), and a pair is two checks, each watching one region's
 * endpoint. The tagging API does not return health checks, so the account's health checks are
 * listed once per run (ListHealthChecks, 1000 a page) with their tags (ListTagsForResources, 10
 * a call), and every read of the run (tagged primaries, standbys by ARN) is answered from that one
 * listing. The tagged primaries are reported for the first region the scan asks about (its first
 * primary region, the home region its other Route 53 reads use too), so each is paired once.
 */
import {
  ListTagsForResourcesCommand,
  paginateListHealthChecks,
  Route53Client,
  type HealthCheck,
  type ResourceTagSet,
} from "@aws-sdk/client-route-53";
import type { Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { mapAwsError, NotFoundError } from "../../aws/errors.js";
import type { Finding } from "../../core/finding.js";
import { pairFinding } from "../../pairs/declared.js";
import type { PairKind, Tagged } from "../../pairs/kind.js";
import { PAIR_RULES } from "../../pairs/rules.js";
import { ownsHealthCheck } from "../owns.js";

/** A health check as described, with the name people gave it (its Name tag) or its id. */
export interface DescribedHealthCheck {
  check: HealthCheck;
  name: string;
  tags: Readonly<Record<string, string | undefined>>;
}

/** The account's health checks with their tags, and the findings on those whose tags are unread. */
interface Inventory {
  byId: ReadonlyMap<string, DescribedHealthCheck>;
  findings: Finding[];
}

const IDS_PER_TAG_CALL = 10;
/** Route 53's endpoint is global: its API is signed for one region of the partition. */
const GLOBAL_REGION = "us-east-1";

export const healthCheckArn = (id: string) => `arn:aws:route53:::healthcheck/${id}`;

const arnText = (a: Arn) => `arn:${a.partition}:${a.service}:${a.region}:${a.account}:${a.resource}`;

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, i * size + size),
  );
}

async function listAll(r53: Route53Client): Promise<HealthCheck[]> {
  const all: HealthCheck[] = [];
  for await (const page of paginateListHealthChecks({ client: r53, pageSize: 1000 }, {}))
    all.push(...(page.HealthChecks ?? []));
  return all;
}

function unreadTags(id: string, err: Error): Finding {
  return pairFinding(
    { name: id, primaryArn: healthCheckArn(id) },
    {
      rule: PAIR_RULES.unreadable,
      status: "error",
      message: `could not read the tags of health check ${id}, so whether it is a primary is unknown: ${err.message}`,
      secondary: null,
    },
  );
}

/**
 * The tags of every health check, 10 a call. A batch that fails (one check deleted since it was
 * listed fails the call) is read again one id at a time, so only the checks whose tags truly
 * cannot be read are lost, each as a finding; one deleted since is simply gone.
 */
async function tagsOfAll(r53: Route53Client, ids: readonly string[], findings: Finding[]) {
  const site = { service: "Route53", operation: "ListTagsForResources", region: GLOBAL_REGION };
  const read = async (batch: readonly string[]): Promise<ResourceTagSet[]> =>
    (
      await r53.send(
        new ListTagsForResourcesCommand({ ResourceType: "healthcheck", ResourceIds: [...batch] }),
      )
    ).ResourceTagSets ?? [];
  const one = async (id: string): Promise<ResourceTagSet[]> => {
    try {
      return await read([id]);
    } catch (err) {
      const mapped = mapAwsError(err, site);
      if (!(mapped instanceof NotFoundError)) findings.push(unreadTags(id, mapped));
      return [];
    }
  };
  const batches = await Promise.all(
    chunks(ids, IDS_PER_TAG_CALL).map(async (batch) => {
      try {
        return await read(batch);
      } catch {
        return (await Promise.all(batch.map(one))).flat();
      }
    }),
  );
  return batches.flat();
}

async function readInventory(aws: AwsClients): Promise<Inventory> {
  const r53 = aws.get(Route53Client, GLOBAL_REGION);
  const findings: Finding[] = [];
  let all: HealthCheck[];
  try {
    all = await listAll(r53);
  } catch (err) {
    throw mapAwsError(err, { service: "Route53", operation: "ListHealthChecks", region: GLOBAL_REGION });
  }
  const sets = await tagsOfAll(
    r53,
    all.map((c) => c.Id ?? ""),
    findings,
  );
  const tagsOf = new Map(
    sets.map((s) => [
      s.ResourceId ?? "",
      Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? "", t.Value])),
    ]),
  );
  const byId = new Map(
    all.map((check): [string, DescribedHealthCheck] => {
      const id = check.Id ?? "";
      const tags = tagsOf.get(id) ?? {};
      return [id, { check, name: tags.Name?.trim() || id, tags }];
    }),
  );
  return { byId, findings };
}

/** The run's one inventory, and the region whose tagged primaries it is reported for. */
const inventories = new WeakMap<AwsClients, { home: string | undefined; inventory: Promise<Inventory> }>();

function inventoryOf(aws: AwsClients) {
  let entry = inventories.get(aws);
  if (!entry) {
    entry = { home: undefined, inventory: readInventory(aws) };
    entry.inventory.catch(() => undefined);
    inventories.set(aws, entry);
  }
  return entry;
}

async function tagged(
  aws: AwsClients,
  region: string,
): Promise<{ found: Tagged<DescribedHealthCheck>[]; findings: Finding[] }> {
  const entry = inventoryOf(aws);
  entry.home ??= region;
  if (entry.home !== region) return { found: [], findings: [] };
  const { byId, findings } = await entry.inventory;
  const found = [...byId.values()].map((d) => ({
    arn: healthCheckArn(d.check.Id ?? ""),
    name: d.name,
    resource: d,
    tags: d.tags,
  }));
  return { found, findings };
}

/** Health checks by ARN, from the run's one listing: an id it does not hold does not exist. */
async function describe(
  aws: AwsClients,
  arns: readonly Arn[],
): Promise<Map<string, DescribedHealthCheck | Error>> {
  const result = new Map<string, DescribedHealthCheck | Error>();
  const site = { service: "Route53", operation: "ListHealthChecks", region: GLOBAL_REGION };
  let byId: ReadonlyMap<string, DescribedHealthCheck>;
  try {
    byId = (await inventoryOf(aws).inventory).byId;
  } catch (err) {
    const mapped = err instanceof Error ? err : new Error(String(err));
    for (const a of arns) result.set(arnText(a), mapped);
    return result;
  }
  for (const a of arns)
    result.set(
      arnText(a),
      byId.get(a.resourceId) ??
        new NotFoundError(`no health check ${a.resourceId}`, site, "NoSuchHealthCheck", undefined),
    );
  return result;
}

export const healthCheckPairing: PairKind<DescribedHealthCheck> = {
  type: "route53-health-check",
  title: "Route 53 health check",
  owns: ownsHealthCheck,
  tagged,
  describe,
  nameOf: (d) => d.name,
};

export { ownsHealthCheck };
