import { ops } from "../../aws/services.js";
import {
  BackupClient,
  GetBackupPlanCommand,
  paginateListBackupPlans,
  paginateListBackupVaults,
  paginateListCopyJobs,
  paginateListRecoveryPointsByBackupVault,
  type BackupVaultListMember,
  type CopyJob,
  type RecoveryPointByBackupVault,
} from "@aws-sdk/client-backup";
import { parseArn } from "../../aws/arn.js";
import { mapAwsError } from "../../aws/errors.js";
import type { PrimaryStore, Protection, StandbyHint, StoreType } from "../type.js";
import type { RegionCache, RegionList } from "../../aws/region-cache.js";
import { copyMeasurement } from "../rds/index.js";
import { backupRules, type NormalizedPlan } from "./rules.js";

export const VAULTS: RegionList<BackupVaultListMember> = {
  name: "backup-vaults",
  service: "Backup",
  operation: "ListBackupVaults",
  async *pages(cache) {
    for await (const page of paginateListBackupVaults({ client: cache.client(BackupClient) }, {}))
      yield page.BackupVaultList ?? [];
  },
  key: (v) => v.BackupVaultArn ?? "",
};

/** The recovery points of one vault, read once per run. */
function recoveryPoints(cache: RegionCache, vault: string): Promise<RecoveryPointByBackupVault[]> {
  return cache.once(`backup-points:${vault}`, async () => {
    const out: RecoveryPointByBackupVault[] = [];
    try {
      for await (const page of paginateListRecoveryPointsByBackupVault(
        { client: cache.client(BackupClient) },
        { BackupVaultName: vault },
      ))
        out.push(...(page.RecoveryPoints ?? []));
    } catch (err) {
      throw mapAwsError(err, cache.site("Backup", `ListRecoveryPointsByBackupVault of ${vault}`));
    }
    return out;
  });
}

/** Copy jobs of the region that failed in the last `days` days. */
function failedCopies(cache: RegionCache, since: Date): Promise<CopyJob[]> {
  return cache.once("backup-failed-copies", async () => {
    const out: CopyJob[] = [];
    try {
      for await (const page of paginateListCopyJobs(
        { client: cache.client(BackupClient) },
        { ByState: "FAILED", ByCreatedAfter: since },
      ))
        out.push(...(page.CopyJobs ?? []));
    } catch (err) {
      throw mapAwsError(err, cache.site("Backup", "ListCopyJobs"));
    }
    return out;
  });
}

/** The backup plans of a region, each rule with the regions it copies into (read once per run). */
function backupPlans(cache: RegionCache, region: string): Promise<NormalizedPlan[]> {
  return cache.once("backup-plans", async () => {
    const client = cache.client(BackupClient);
    const out: NormalizedPlan[] = [];
    try {
      for await (const page of paginateListBackupPlans({ client }, {}))
        for (const p of page.BackupPlansList ?? []) {
          const plan = await client.send(new GetBackupPlanCommand({ BackupPlanId: p.BackupPlanId }));
          out.push({
            name: p.BackupPlanName ?? p.BackupPlanId ?? "",
            region,
            rules: (plan.BackupPlan?.Rules ?? []).map((r) => ({
              name: r.RuleName ?? "",
              copies: (r.CopyActions ?? []).map((c) => ({
                region: c.DestinationBackupVaultArn ? parseArn(c.DestinationBackupVaultArn).region : region,
                deleteAfterDays: c.Lifecycle?.DeleteAfterDays ?? null,
              })),
            })),
          });
        }
    } catch (err) {
      throw mapAwsError(err, cache.site("Backup", "ListBackupPlans/GetBackupPlan"));
    }
    return out;
  });
}

const nameOf = (arn: string) => arn.split(/[:/]/).at(-1) ?? arn;

export const backupStoreType: StoreType = {
  type: "backup",
  title: "AWS Backup",
  permissions: ops(
    "Backup",
    "ListBackupVaults",
    "ListRecoveryPointsByBackupVault",
    "ListCopyJobs",
    "ListBackupPlans",
    "GetBackupPlan",
  ),
  rules: backupRules,
  owns: () => false,
  async standbyHints(ctx) {
    const hints: StandbyHint[] = [];
    for (const region of ctx.primaryRegions)
      for (const plan of await backupPlans(ctx.region(region), region))
        for (const rule of plan.rules)
          for (const copy of rule.copies)
            if (copy.region !== region)
              hints.push({
                store: `backup plan ${plan.name}`,
                region: copy.region,
                via: `the copy action of rule ${rule.name} of backup plan ${plan.name}`,
              });
    return hints;
  },
  async discover(ctx) {
    const protections: Protection[] = [];
    const stores: PrimaryStore[] = [];
    for (const region of ctx.standbyRegions) {
      const cache = ctx.region(region);
      const vaults = [...(await cache.list(VAULTS)).values()];
      // Recovery points and copy jobs are read only where there is a vault to hold copies.
      if (vaults.length === 0) continue;
      /** Resource ARN -> the copies of its recovery points here. */
      const copies = new Map<string, RecoveryPointByBackupVault[]>();
      for (const v of vaults)
        for (const p of await recoveryPoints(cache, v.BackupVaultName ?? "")) {
          const from = p.SourceBackupVaultArn ? parseArn(p.SourceBackupVaultArn).region : undefined;
          if (!from || from === region || !ctx.primaryRegions.includes(from) || !p.ResourceArn) continue;
          copies.set(p.ResourceArn, [...(copies.get(p.ResourceArn) ?? []), p]);
        }
      if (copies.size === 0) continue;
      const failed = await failedCopies(cache, new Date(ctx.now.getTime() - 30 * 86400_000));
      for (const [resource, points] of copies) {
        const done = points
          .filter((p) => p.Status === "COMPLETED" && p.CreationDate)
          .sort((a, b) => (b.CreationDate?.getTime() ?? 0) - (a.CreationDate?.getTime() ?? 0));
        const newest = done[0];
        const failedSince = failed.filter(
          (j) =>
            j.ResourceArn === resource &&
            (!newest || (j.CreationDate?.getTime() ?? 0) > (newest.CreationDate?.getTime() ?? 0)),
        ).length;
        const primary: PrimaryStore = {
          type: "backup",
          arn: resource,
          name: nameOf(resource),
          region: parseArn(resource).region,
        };
        protections.push({
          kind: "backup-copy",
          primary,
          standbyArn: newest?.RecoveryPointArn ?? null,
          standbyRegion: region,
          measure: (c) =>
            Promise.resolve(
              copyMeasurement(
                c,
                "Backup recovery point copy",
                newest?.CreationDate
                  ? { at: newest.CreationDate, arn: newest.RecoveryPointArn ?? "" }
                  : undefined,
                failedSince,
              ),
            ),
        });
      }
    }
    // The plans of the primary regions: each rule must copy into a standby region, with a retention.
    const regionPosture = [];
    for (const region of ctx.primaryRegions)
      for (const normalized of await backupPlans(ctx.region(region), region))
        regionPosture.push({
          region,
          subject: `backup plan ${normalized.name}`,
          posture: { rules: backupRules, primary: null, standby: normalized },
        });
    return { stores, protections, regionPosture };
  },
};
