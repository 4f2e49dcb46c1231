/**
 * `drctl init`: reads an account and writes a first drctl.yaml for a person to review. The
 * regions (given, or every enabled one), what is there (survey.ts), what to propose (propose.ts),
 * the file (render.ts), checked by the config loader itself before anyone sees it.
 */
import type { AwsClients } from "../aws/client-factory.js";
import { parseYamlWithSchema } from "../config/load.js";
import { configSchema } from "../config/schema.js";
import type { StoreType } from "../datastores/type.js";
import { TAGGED_PERMISSIONS } from "../pairs/tagged.js";
import { propose, type Plan } from "./propose.js";
import { chooseRegions, REGION_PERMISSIONS, type Skipped } from "./regions.js";
import { renderConfig } from "./render.js";
import { FALLBACK_PERMISSIONS, GROUP_PERMISSIONS, survey } from "./survey.js";

export interface InitOptions {
  /** --regions; empty: every region enabled in the account. */
  regions: readonly string[];
  /** Where DescribeRegions is asked when no region is given. */
  homeRegion: string;
  types: readonly StoreType[];
  /** Whether drctl compares or measures resources of an ARN's type (twins are proposed only for those). */
  comparable: (arn: string) => boolean;
  /** The file it is meant for, for the check's messages. */
  file: string;
  now: Date;
  progress: (line: string) => void;
}

export interface InitResult {
  text: string;
  plan: Plan;
  regions: string[];
  skipped: Skipped[];
  notes: string[];
}

/** The AWS operations init calls beside the data-store types' own. */
export const INIT_PERMISSIONS = [
  ...REGION_PERMISSIONS,
  ...TAGGED_PERMISSIONS,
  ...FALLBACK_PERMISSIONS,
  ...GROUP_PERMISSIONS,
];

export async function runInit(aws: AwsClients, options: InitOptions): Promise<InitResult> {
  const choice = await chooseRegions(aws, options.regions, options.homeRegion);
  for (const s of choice.skipped) options.progress(`skipping ${s.region}: ${s.reason}`);
  options.progress(`reading ${choice.regions.length} region(s): ${choice.regions.join(", ")}`);
  const found = await survey(aws, choice.regions, options.types, options.progress);
  const plan = propose(found, choice.regions, options.comparable);
  const text = renderConfig({
    plan,
    regions: choice.regions,
    regionsHow: choice.how,
    skipped: choice.skipped,
    notes: found.notes,
    generatedAt: options.now,
  });
  // What init writes must load as drctl.yaml: a failure here is drctl's bug, said with file:line.
  parseYamlWithSchema(text, options.file, configSchema);
  return { text, plan, regions: choice.regions, skipped: choice.skipped, notes: found.notes };
}
