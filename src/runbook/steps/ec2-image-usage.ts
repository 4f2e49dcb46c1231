/**
 * What uses an image, for ec2.prune-images: everything that launches or names an image, read
 * region-wide (one listing per kind of user and region, never one call per image), and whom an
 * image is shared with (the one read per image, made only for the images that could go).
 *
 * What is read where. An image id is unique across regions, and an instance, a launch template,
 * an Auto Scaling group, a fleet or a launch configuration can only name an image of its own
 * region (EC2 refuses another region's id), so those are read in the step's region only: reading
 * them elsewhere could never find an image this step prunes. Two things cross regions, and are
 * read in every region the runbook names (ctx.runbook.regions), the step's own included:
 * - an SSM parameter holds text: the runbook's own parameters (those its steps write, or read
 *   through ${ssm:...}) may hold the id of an image of another region (a parameter in the
 *   standby naming the primary's image);
 * - a copy being made reads its source until it is available: an image copied elsewhere stays
 *   while that copy is pending. A finished copy is an image of its own and uses nothing: it does
 *   not keep its source (else no source would ever go).
 * A read that fails stops the prune: it throws, naming the region and the read, and nothing is
 * pruned on a partial view.
 */
import {
  AutoScalingClient,
  paginateDescribeAutoScalingGroups,
  paginateDescribeLaunchConfigurations,
} from "@aws-sdk/client-auto-scaling";
import {
  DescribeImageAttributeCommand,
  EC2Client,
  paginateDescribeFleets,
  paginateDescribeImages,
  paginateDescribeInstances,
  paginateDescribeLaunchTemplateVersions,
  paginateDescribeSpotFleetRequests,
  type LaunchPermission,
  type LaunchTemplateVersion,
} from "@aws-sdk/client-ec2";
import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { awsErrorCode } from "../../aws/errors.js";
import { pool } from "../../util/pool.js";
import type { StepContext } from "../step.js";
import { SOURCE_IMAGE_ID } from "./ec2-images.js";

/** image id -> what uses it, one line each, for people ("instance i-0abc (running)"). */
export type Uses = Map<string, string[]>;
/** One use: the image (or resolve:ssm:NAME) and what uses it. */
type Use = [image: string, what: string];

/** A read of what uses images failed: the prune stops, naming the region and the read. */
export class UsageUnreadable extends Error {}

/** Runs one read; a failure (denied, throttled past every retry) names what and where. */
async function reading<T>(what: string, region: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof UsageUnreadable) throw err;
    const code = awsErrorCode(err);
    const detail = err instanceof Error && err.message !== code ? err.message : "";
    throw new UsageUnreadable(
      `could not read ${what} in ${region}: ${[code, detail].filter(Boolean).join(": ") || "unknown error"}`,
      { cause: err },
    );
  }
}

/** A launch template version something names: by id or name; $Latest, $Default or a number. */
interface TemplateRef {
  id?: string | undefined;
  name?: string | undefined;
  /** Absent: the template's default version, as Auto Scaling takes it. */
  version?: string | undefined;
  /** Who names it: "Auto Scaling group web", "EC2 Fleet fleet-...". */
  by: string;
}
type Spec = { LaunchTemplateId?: string; LaunchTemplateName?: string; Version?: string } | undefined;
const ref = (spec: Spec, by: string): TemplateRef[] =>
  spec ? [{ id: spec.LaunchTemplateId, name: spec.LaunchTemplateName, version: spec.Version, by }] : [];

/** Fleets that can still launch: not deleted, cancelled or failed (their instances are read as instances). */
const launches = (state: string | undefined) => !/^(deleted|cancelled|failed)/.test(state ?? "");

/** Instances of the region, in any state but terminated, launched from one of `imageIds`. */
async function instances(ctx: StepContext, imageIds: string[]): Promise<Use[]> {
  const found: Use[] = [];
  const ec2 = ctx.aws.get(EC2Client, ctx.region);
  // Filtered by image id (at most 200 values a filter): the region's other instances never come back.
  for (let i = 0; i < imageIds.length; i += 200)
    await reading("instances (ec2:DescribeInstances)", ctx.region, async () => {
      const filters = [
        { Name: "image-id", Values: imageIds.slice(i, i + 200) },
        {
          Name: "instance-state-name",
          Values: ["pending", "running", "shutting-down", "stopping", "stopped"],
        },
      ];
      for await (const page of paginateDescribeInstances({ client: ec2 }, { Filters: filters }))
        for (const x of (page.Reservations ?? []).flatMap((r) => r.Instances ?? []))
          if (x.ImageId) found.push([x.ImageId, `instance ${x.InstanceId ?? "?"} (${x.State?.Name ?? "?"})`]);
    });
  return found;
}

/** Every launch template's $Latest and $Default version in the region, in one listing. */
function latestAndDefault(ctx: StepContext): Promise<LaunchTemplateVersion[]> {
  return reading("launch templates (ec2:DescribeLaunchTemplateVersions)", ctx.region, async () => {
    const versions: LaunchTemplateVersion[] = [];
    for await (const page of paginateDescribeLaunchTemplateVersions(
      { client: ctx.aws.get(EC2Client, ctx.region) },
      { Versions: ["$Latest", "$Default"] },
    ))
      versions.push(...(page.LaunchTemplateVersions ?? []));
    return versions;
  });
}

/** The template versions Auto Scaling groups name: their own, their mixed-instances policy's and its overrides'. */
function groupRefs(ctx: StepContext): Promise<TemplateRef[]> {
  return reading("Auto Scaling groups (autoscaling:DescribeAutoScalingGroups)", ctx.region, async () => {
    const refs: TemplateRef[] = [];
    const asg = ctx.aws.get(AutoScalingClient, ctx.region);
    for await (const page of paginateDescribeAutoScalingGroups({ client: asg }, {}))
      for (const g of page.AutoScalingGroups ?? []) {
        const by = `Auto Scaling group ${g.AutoScalingGroupName ?? "?"}`;
        const mixed = g.MixedInstancesPolicy?.LaunchTemplate;
        refs.push(...ref(g.LaunchTemplate, by), ...ref(mixed?.LaunchTemplateSpecification, by));
        for (const o of mixed?.Overrides ?? [])
          refs.push(
            ...ref(
              o.LaunchTemplateSpecification,
              `${by}, mixed-instances override${o.InstanceType ? ` ${o.InstanceType}` : ""}`,
            ),
          );
      }
    return refs;
  });
}

/** EC2 Fleets that can launch: the template versions they name, and images their overrides name. */
function fleets(ctx: StepContext): Promise<{ refs: TemplateRef[]; direct: Use[] }> {
  return reading("EC2 Fleets (ec2:DescribeFleets)", ctx.region, async () => {
    const refs: TemplateRef[] = [];
    const direct: Use[] = [];
    for await (const page of paginateDescribeFleets({ client: ctx.aws.get(EC2Client, ctx.region) }, {}))
      for (const f of (page.Fleets ?? []).filter((x) => launches(x.FleetState))) {
        const by = `EC2 Fleet ${f.FleetId ?? "?"}`;
        for (const c of f.LaunchTemplateConfigs ?? []) {
          refs.push(...ref(c.LaunchTemplateSpecification, by));
          for (const o of c.Overrides ?? [])
            if (o.ImageId) direct.push([o.ImageId, `${by} (its override's image)`]);
        }
      }
    return { refs, direct };
  });
}

/** Spot Fleet requests that can launch: their template versions and launch specifications' images. */
function spotFleets(ctx: StepContext): Promise<{ refs: TemplateRef[]; direct: Use[] }> {
  return reading("Spot Fleet requests (ec2:DescribeSpotFleetRequests)", ctx.region, async () => {
    const refs: TemplateRef[] = [];
    const direct: Use[] = [];
    const ec2 = ctx.aws.get(EC2Client, ctx.region);
    for await (const page of paginateDescribeSpotFleetRequests({ client: ec2 }, {}))
      for (const r of (page.SpotFleetRequestConfigs ?? []).filter((x) => launches(x.SpotFleetRequestState))) {
        const by = `Spot Fleet request ${r.SpotFleetRequestId ?? "?"}`;
        const config = r.SpotFleetRequestConfig;
        for (const c of config?.LaunchTemplateConfigs ?? [])
          refs.push(...ref(c.LaunchTemplateSpecification, by));
        for (const s of config?.LaunchSpecifications ?? [])
          if (s.ImageId) direct.push([s.ImageId, `${by} (its launch specification's image)`]);
      }
    return { refs, direct };
  });
}

/** Every launch configuration's image (a group may use it, or be given it at any time). */
function launchConfigurations(ctx: StepContext): Promise<Use[]> {
  return reading("launch configurations (autoscaling:DescribeLaunchConfigurations)", ctx.region, async () => {
    const found: Use[] = [];
    const asg = ctx.aws.get(AutoScalingClient, ctx.region);
    for await (const page of paginateDescribeLaunchConfigurations({ client: asg }, {}))
      for (const c of page.LaunchConfigurations ?? [])
        if (c.ImageId) found.push([c.ImageId, `launch configuration ${c.LaunchConfigurationName ?? "?"}`]);
    return found;
  });
}

const GONE = /^InvalidLaunchTemplate(Id|Name)\.(NotFound|NotFoundException|VersionNotFound)$/;

/** Numbered versions of one template. A template or version that is gone launches nothing: none. */
async function numbered(
  ctx: StepContext,
  t: TemplateRef,
  numbers: string[],
): Promise<LaunchTemplateVersion[]> {
  const versions: LaunchTemplateVersion[] = [];
  try {
    for await (const page of paginateDescribeLaunchTemplateVersions(
      { client: ctx.aws.get(EC2Client, ctx.region) },
      { ...(t.id ? { LaunchTemplateId: t.id } : { LaunchTemplateName: t.name }), Versions: numbers },
    ))
      versions.push(...(page.LaunchTemplateVersions ?? []));
    return versions;
  } catch (err) {
    if (!GONE.test(awsErrorCode(err))) throw err;
    // One version that is gone fails the whole call: the others are asked for one by one.
    if (numbers.length <= 1) return [];
    return (await pool(numbers, 4, (n) => numbered(ctx, t, [n]))).flat();
  }
}

const sameTemplate = (t: TemplateRef, v: LaunchTemplateVersion) =>
  t.id ? v.LaunchTemplateId === t.id : v.LaunchTemplateName === t.name;
const templateName = (v: LaunchTemplateVersion) => v.LaunchTemplateName ?? v.LaunchTemplateId ?? "?";

/**
 * The version each reference names, with who names it: $Latest and $Default from the region's
 * listing, numbered ones asked for once per template (all its numbers in one call).
 */
async function referenced(
  ctx: StepContext,
  refs: TemplateRef[],
  listed: LaunchTemplateVersion[],
): Promise<{ version: LaunchTemplateVersion; by: TemplateRef }[]> {
  const found: { version: LaunchTemplateVersion; by: TemplateRef }[] = [];
  const byTemplate = new Map<string, TemplateRef[]>();
  for (const r of refs) {
    const v = r.version ?? "$Default";
    if (/^\d+$/.test(v)) {
      const key = r.id ? `id:${r.id}` : `name:${r.name ?? ""}`;
      byTemplate.set(key, [...(byTemplate.get(key) ?? []), r]);
      continue;
    }
    const mine = listed.filter((x) => sameTemplate(r, x));
    const latest = Math.max(...mine.map((x) => x.VersionNumber ?? 0));
    const pick = mine.find((x) => (v === "$Latest" ? x.VersionNumber === latest : x.DefaultVersion));
    if (pick) found.push({ version: pick, by: r });
  }
  await reading("launch template versions (ec2:DescribeLaunchTemplateVersions)", ctx.region, () =>
    pool([...byTemplate.values()], 4, async (named) => {
      const first = named[0] as TemplateRef;
      const versions = await numbered(ctx, first, [...new Set(named.map((r) => r.version ?? ""))]);
      for (const r of named)
        for (const v of versions)
          if (String(v.VersionNumber) === r.version) found.push({ version: v, by: r });
    }),
  );
  return found;
}

/** Who launches what: each version listed or named, with its image (an id, or resolve:ssm:NAME). */
async function templateUses(ctx: StepContext, refs: TemplateRef[]): Promise<Use[]> {
  const listed = await latestAndDefault(ctx);
  const named = await referenced(ctx, refs, listed);
  return [
    ...listed.map((v): Use => [
      v.LaunchTemplateData?.ImageId ?? "",
      `launch template ${templateName(v)} version ${v.VersionNumber ?? "?"}${v.DefaultVersion ? " (default)" : ""}`,
    ]),
    ...named.map(({ version: v, by }): Use => [
      v.LaunchTemplateData?.ImageId ?? "",
      `${by.by} (launch template ${templateName(v)} version ${v.VersionNumber ?? "?"})`,
    ]),
  ].filter(([image]) => image !== "");
}

/**
 * The images SSM parameters of `region` hold: `wanted` pairs a name (or NAME:VERSION, NAME:LABEL)
 * with what reads it, a name perhaps more than once. A parameter that does not exist names nothing.
 */
async function parameterUses(ctx: StepContext, region: string, wanted: [string, string][]): Promise<Use[]> {
  const names = [...new Set(wanted.map(([n]) => n))];
  const found: Use[] = [];
  const ssm = ctx.aws.get(SSMClient, region);
  for (let i = 0; i < names.length; i += 10) {
    const out = await reading("SSM parameters (ssm:GetParameters)", region, () =>
      ssm.send(new GetParametersCommand({ Names: names.slice(i, i + 10) })),
    );
    for (const p of out.Parameters ?? []) {
      // The name as asked (with :VERSION or :LABEL) is the Selector's; match either form.
      const asked = names.find((n) => n === p.Name || n === `${p.Name ?? ""}${p.Selector ?? ""}`);
      const readers = wanted.filter(([n]) => n === asked).map(([, what]) => what);
      // A StringList may hold several ids.
      for (const v of (p.Value ?? "").split(/[\s,]+/))
        for (const what of readers) if (v) found.push([v, what]);
    }
  }
  return found;
}

/** Copies being made in `region` and the images they are made of (which must stay until they are done). */
function pendingCopies(ctx: StepContext, region: string): Promise<Use[]> {
  return reading("images being made (ec2:DescribeImages)", region, async () => {
    const found: Use[] = [];
    for await (const page of paginateDescribeImages(
      { client: ctx.aws.get(EC2Client, region) },
      { Owners: ["self"], Filters: [{ Name: "state", Values: ["pending"] }] },
    ))
      for (const i of page.Images ?? []) {
        const source = i.SourceImageId ?? i.Tags?.find((t) => t.Key === SOURCE_IMAGE_ID)?.Value;
        if (source) found.push([source, `copy ${i.ImageId ?? "?"} being made in ${region}`]);
      }
    return found;
  });
}

/** The runbook's parameters, each with the steps that name it, as `parameterUses` wants them. */
const runbookParameters = (ctx: StepContext, region: string): [string, string][] =>
  (ctx.runbook?.parameters ?? []).map((p) => [
    p.name,
    `SSM parameter ${p.name} in ${region} (named by step ${p.steps.join(", ")})`,
  ]);

/**
 * What uses each image: in the step's region, instances (of `imageIds`), launch templates
 * ($Default, $Latest, and every version named by number), Auto Scaling groups, EC2 Fleets, Spot
 * Fleet requests, launch configurations, through resolve:ssm:NAME where a template says so; in
 * every region the runbook names, its SSM parameters and copies being made (see the top of this
 * file for why). Throws UsageUnreadable when any of it cannot be read.
 */
export async function imagesInUse(ctx: StepContext, imageIds: string[]): Promise<Uses> {
  const [groups, fleet, spot, configs, launched] = await Promise.all([
    groupRefs(ctx),
    fleets(ctx),
    spotFleets(ctx),
    launchConfigurations(ctx),
    instances(ctx, imageIds),
  ]);
  const templates = await templateUses(ctx, [...groups, ...fleet.refs, ...spot.refs]);
  // resolve:ssm:NAME: what the parameter of the step's region holds is what those versions launch.
  const resolved = new Map<string, string[]>();
  for (const [image, what] of templates) {
    const name = /^resolve:ssm:(.+)$/.exec(image)?.[1];
    if (name) resolved.set(name, [...(resolved.get(name) ?? []), what]);
  }
  const viaTemplates = [...resolved].map(([n, by]): [string, string] => [
    n,
    `${by.join(", ")} via resolve:ssm:${n}`,
  ]);
  const regions = [...new Set([ctx.region, ...(ctx.runbook?.regions ?? [])])];
  const elsewhere = await Promise.all(
    regions.map(async (region) => [
      ...(await parameterUses(ctx, region, [
        ...(region === ctx.region ? viaTemplates : []),
        ...runbookParameters(ctx, region),
      ])),
      ...(await pendingCopies(ctx, region)),
    ]),
  );
  const uses: Uses = new Map();
  for (const [image, what] of [
    ...templates,
    ...fleet.direct,
    ...spot.direct,
    ...configs,
    ...launched,
    ...elsewhere.flat(),
  ]) {
    const had = uses.get(image) ?? [];
    if (!image.startsWith("resolve:ssm:") && !had.includes(what)) uses.set(image, [...had, what]);
  }
  return uses;
}

const shareText = (p: LaunchPermission): string =>
  p.Group === "all"
    ? "everyone (public)"
    : p.UserId
      ? `account ${p.UserId}`
      : p.OrganizationArn
        ? `organization ${p.OrganizationArn}`
        : p.OrganizationalUnitArn
          ? `organizational unit ${p.OrganizationalUnitArn}`
          : "someone else";

/**
 * Whom each image is shared with ("account 111122223333, organization arn:..."), read image by
 * image (AWS has no region-wide listing of launch permissions): only images absent from the
 * answer are shared with no one.
 */
export async function sharedWith(ctx: StepContext, imageIds: string[]): Promise<Map<string, string>> {
  const ec2 = ctx.aws.get(EC2Client, ctx.region);
  const shares = await pool(imageIds, 4, (imageId) =>
    reading(`launch permissions of ${imageId} (ec2:DescribeImageAttribute)`, ctx.region, async () => {
      try {
        const out = await ec2.send(
          new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: "launchPermission" }),
        );
        return [imageId, (out.LaunchPermissions ?? []).map(shareText)] as const;
      } catch (err) {
        // Deregistered since it was listed: nothing to prune, nothing shared.
        if (/^InvalidAMIID\.(NotFound|Unavailable)$/.test(awsErrorCode(err))) return [imageId, []] as const;
        throw err;
      }
    }),
  );
  return new Map(shares.filter(([, to]) => to.length > 0).map(([id, to]) => [id, to.join(", ")]));
}
