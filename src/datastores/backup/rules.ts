import type { Rule } from "../../core/rule.js";

/** A Backup plan as the posture rule sees it: each rule's copy actions. */
export interface NormalizedPlan {
  name: string;
  region: string;
  rules: { name: string; copies: { region: string; deleteAfterDays: number | null }[] }[];
}

export const backupRules: Rule<NormalizedPlan | null>[] = [
  {
    id: "backup.copy-to-standby",
    resourceType: "backup",
    severity: "high",
    title: "Backup plan rules copy to the standby region with a retention",
    compares:
      "every rule of every AWS Backup plan of a primary region: a copy action into a standby region, and a retention (DeleteAfterDays) on that copy",
    rationale:
      "Backups kept only in the primary region are lost with it; a copy without a retention is kept (and paid for) forever or deleted by hand.",
    remediation:
      "Add a copy action to a vault in the standby region, with a lifecycle that deletes copies after the retention you need (dr-plan.md: 7 to 30 days).",
    check: (_p, plan) =>
      (plan?.rules ?? []).flatMap((r) => {
        const toStandby = r.copies.filter((c) => c.region !== plan?.region);
        if (toStandby.length === 0)
          return [
            {
              path: `plans[${plan?.name ?? ""}].rules[${r.name}].copyActions`,
              primary: null,
              secondary: null,
              message: `backup plan ${plan?.name ?? ""} rule ${r.name} copies nothing out of ${plan?.region ?? "its region"}`,
            },
          ];
        return toStandby
          .filter((c) => c.deleteAfterDays === null)
          .map((c) => ({
            path: `plans[${plan?.name ?? ""}].rules[${r.name}].copyActions[${c.region}].deleteAfterDays`,
            primary: null,
            secondary: null,
            message: `backup plan ${plan?.name ?? ""} rule ${r.name} copies to ${c.region} with no retention: the copies are never deleted`,
          }));
      }),
  },
];
