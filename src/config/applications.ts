/**
 * Which resources belong to an application: its ARNs (with * wildcards) or its tags, as
 * drctl.yaml's `applications` say, the same test freshness uses to give stores their targets.
 */
import type { DrctlConfig } from "./schema.js";
import { glob } from "../util/glob.js";

export type Application = DrctlConfig["applications"][number];

export function belongsTo(app: Application, arn: string, tags: Record<string, string> = {}): boolean {
  if ((app.arns ?? []).some((g) => glob(g).test(arn))) return true;
  return (
    app.tags !== undefined &&
    Object.keys(app.tags).length > 0 &&
    Object.entries(app.tags).every(
      ([k, v]) => (tags[k] ?? "").trim().toLowerCase() === v.trim().toLowerCase(),
    )
  );
}
