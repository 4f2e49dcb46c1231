import { ops } from "../aws/services.js";
/**
 * Resources of any kind tagged as DR primaries (enable=true, isPrimary=true, secondaryARN=<ARN>),
 * read with the Resource Groups Tagging API: one paged list per region for every kind at once.
 * The load balancers among them are the readiness scan's (discover.ts reads those with their own
 * descriptions); the others are data stores for freshness.
 */
import {
  paginateGetResources,
  ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import type { AwsClients } from "../aws/client-factory.js";
import { mapAwsError } from "../aws/errors.js";

export const TAGGED_PERMISSIONS = ops("ResourceGroupsTaggingAPI", "GetResources");

export interface TaggedResource {
  arn: string;
  region: string;
  tags: Record<string, string>;
}

/** Every tagged resource of a region with its tags (the index freshness matches applications and pairs with). */
export async function taggedResources(aws: AwsClients, region: string): Promise<TaggedResource[]> {
  const client = aws.get(ResourceGroupsTaggingAPIClient, region);
  const out: TaggedResource[] = [];
  try {
    for await (const page of paginateGetResources({ client }, { ResourcesPerPage: 100 }))
      for (const r of page.ResourceTagMappingList ?? [])
        out.push({
          arn: r.ResourceARN ?? "",
          region,
          tags: Object.fromEntries((r.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
        });
  } catch (err) {
    throw mapAwsError(err, { service: "ResourceGroupsTaggingAPI", operation: "GetResources", region });
  }
  return out;
}
