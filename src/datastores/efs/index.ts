import { ops } from "../../aws/services.js";
import {
  DescribeReplicationConfigurationsCommand,
  EFSClient,
  paginateDescribeFileSystems,
  type FileSystemDescription,
  type ReplicationConfigurationDescription,
} from "@aws-sdk/client-efs";
import { mapAwsError } from "../../aws/errors.js";
import type { Measurement, PrimaryStore, Protection, StandbyHint, StoreType } from "../type.js";
import type { RegionCache, RegionList } from "../../aws/region-cache.js";

export const FILE_SYSTEMS: RegionList<FileSystemDescription> = {
  name: "efs-file-systems",
  service: "EFS",
  operation: "DescribeFileSystems",
  async *pages(cache) {
    for await (const page of paginateDescribeFileSystems({ client: cache.client(EFSClient) }, {}))
      yield page.FileSystems ?? [];
  },
  key: (f) => f.FileSystemArn ?? f.FileSystemId ?? "",
};

/** The region's replication configurations, all pages (the API lists them for the region). */
function replications(cache: RegionCache): Promise<ReplicationConfigurationDescription[]> {
  return cache.once("efs-replications", async () => {
    const out: ReplicationConfigurationDescription[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await cache
          .client(EFSClient)
          .send(new DescribeReplicationConfigurationsCommand({ NextToken: token }));
        out.push(...(page.Replications ?? []));
        token = page.NextToken;
      } while (token);
    } catch (err) {
      throw mapAwsError(err, cache.site("EFS", "DescribeReplicationConfigurations"));
    }
    return out;
  });
}

export const efsStoreType: StoreType = {
  type: "efs",
  title: "EFS file systems",
  permissions: ops("EFS", "DescribeFileSystems", "DescribeReplicationConfigurations"),
  rules: [],
  owns: (arn) => arn.service === "elasticfilesystem" && arn.resourceType === "file-system",
  async standbyHints(ctx) {
    const hints: StandbyHint[] = [];
    for (const region of ctx.primaryRegions) {
      const cache = ctx.region(region);
      if ((await cache.list(FILE_SYSTEMS)).size === 0) continue;
      for (const c of await replications(cache))
        for (const d of c.Destinations ?? [])
          if (d.Region && d.Region !== region && c.SourceFileSystemArn)
            hints.push({
              store: c.SourceFileSystemArn,
              region: d.Region,
              via: `the replication of ${c.SourceFileSystemId ?? ""} to ${d.FileSystemId ?? ""} in ${d.Region}`,
            });
    }
    return hints;
  },
  async discover(ctx) {
    const stores: PrimaryStore[] = [];
    const protections: Protection[] = [];
    for (const region of ctx.primaryRegions) {
      const cache = ctx.region(region);
      const systems = [...(await cache.list(FILE_SYSTEMS)).values()];
      // Replication is read only where there is a file system to replicate.
      if (systems.length === 0) continue;
      const configs = await replications(cache);
      for (const fs of systems) {
        const store: PrimaryStore = {
          type: "efs",
          arn: fs.FileSystemArn ?? "",
          name: fs.Name ?? fs.FileSystemId ?? "",
          region,
        };
        // A destination (read-only replica) is a copy, not a store of its own.
        if (configs.some((c) => c.Destinations?.some((d) => d.FileSystemId === fs.FileSystemId))) continue;
        stores.push(store);
        const config = configs.find((c) => c.SourceFileSystemId === fs.FileSystemId);
        for (const d of config?.Destinations ?? []) {
          if (!d.Region || !ctx.standbyRegions.includes(d.Region)) continue;
          protections.push({
            kind: "efs-replication",
            primary: store,
            standbyArn: `arn:aws:elasticfilesystem:${d.Region}:${fs.OwnerId ?? ""}:file-system/${d.FileSystemId ?? ""}`,
            standbyRegion: d.Region,
            measure(c): Promise<Measurement> {
              const measuredBy = "the destination's LastReplicatedTimestamp";
              const evidence = [
                {
                  what: `replication to ${d.FileSystemId ?? "?"}`,
                  value: `${d.Status ?? "?"}${d.StatusMessage ? `: ${d.StatusMessage}` : ""}`,
                },
                { what: "last replicated", value: d.LastReplicatedTimestamp?.toISOString() ?? "never" },
              ];
              if (d.Status !== "ENABLED")
                return Promise.resolve({
                  measuredBy,
                  evidence,
                  broken: {
                    reason: `replication of ${store.name} to ${d.FileSystemId ?? "?"} is ${d.Status ?? "?"}${d.StatusMessage ? ` (${d.StatusMessage})` : ""}`,
                    fix: "Look at the replication's status message; a replication in ERROR is deleted and created again.",
                  },
                });
              if (!d.LastReplicatedTimestamp)
                return Promise.resolve({
                  measuredBy,
                  evidence,
                  unknown: {
                    reason: `${store.name} has not finished its first replication to ${d.FileSystemId ?? "?"}`,
                    fix: "Wait for the initial copy to finish; its progress is in the EFS console.",
                  },
                });
              return Promise.resolve({
                exposureSeconds: Math.max(0, (c.now.getTime() - d.LastReplicatedTimestamp.getTime()) / 1000),
                measuredBy,
                evidence,
              });
            },
          });
        }
      }
    }
    return { stores, protections };
  },
};
