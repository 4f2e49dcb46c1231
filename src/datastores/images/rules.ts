import type { Rule } from "../../core/rule.js";

/** The standby region's launch templates and whether the image each launches is there. */
export interface StandbyLaunchImages {
  region: string;
  templates: { template: string; imageId: string; from: string | null; exists: boolean }[];
}

export const imageRules: Rule<StandbyLaunchImages | null>[] = [
  {
    id: "images.launch-template-image",
    resourceType: "images",
    severity: "critical",
    title: "Standby launch templates launch images that exist in the standby region",
    compares:
      "the image of every standby-region launch template's default version (an SSM reference resolved) against the region's images",
    rationale:
      "An Auto Scaling group whose template names an image the region does not have launches nothing when the standby scales out.",
    remediation:
      "Copy the image into the standby region and point the template (or the SSM parameter it reads, such as /app/latest-ami-id) at the copy.",
    check: (_p, s) =>
      (s?.templates ?? [])
        .filter((t) => !t.exists)
        .map((t) => ({
          path: `launchTemplates[${t.template}].imageId`,
          primary: null,
          secondary: t.imageId || null,
          message: `launch template ${t.template} in ${s?.region ?? "?"} launches ${t.imageId || "no image"}${t.from ? ` (from ${t.from})` : ""}, which does not exist in ${s?.region ?? "its region"}`,
        })),
  },
];
