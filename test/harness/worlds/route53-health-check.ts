/**
 * Route 53 health check pairs: global checks, each watching its own region's endpoint (only the
 * endpoint's name differs between twins), named by their Name tag; and a planted difference.
 */
import {
  ChangeTagsForResourceCommand,
  CreateHealthCheckCommand,
  Route53Client,
  type HealthCheckConfig,
} from "@aws-sdk/client-route-53";
import type { AwsClients } from "../../../src/aws/client-factory.js";
import { regionTag } from "../../../demo/world/options.js";
import { drTagList, required, twinNames, type BuiltPairs, type PairRegions } from "./common.js";

/** How a check watches `region`'s API endpoint, `over` changed. */
export const checkOf = (region: string, over: Partial<HealthCheckConfig> = {}): HealthCheckConfig => ({
  Type: "HTTPS_STR_MATCH",
  FullyQualifiedDomainName: `api.${regionTag(region)}.example.com`,
  Port: 443,
  ResourcePath: "/health",
  SearchString: "ok",
  RequestInterval: 30,
  FailureThreshold: 3,
  MeasureLatency: true,
  EnableSNI: true,
  Inverted: false,
  Disabled: false,
  Regions: ["us-east-1", "eu-west-1", "ap-southeast-1"],
  ...over,
});

/** A health check named by its Name tag, with `tags` besides; its ARN. */
export async function createHealthCheck(
  aws: AwsClients,
  name: string,
  config: HealthCheckConfig,
  tags: { Key: string; Value: string }[] = [],
): Promise<string> {
  const route53 = aws.get(Route53Client, "us-east-1");
  const out = await route53.send(
    new CreateHealthCheckCommand({
      CallerReference: `${name}-${Date.now()}-${Math.random()}`,
      HealthCheckConfig: config,
    }),
  );
  const id = required(out.HealthCheck?.Id, `id for health check ${name}`);
  await route53.send(
    new ChangeTagsForResourceCommand({
      ResourceType: "healthcheck",
      ResourceId: id,
      AddTags: [{ Key: "Name", Value: name }, ...tags],
    }),
  );
  return `arn:aws:route53:::healthcheck/${id}`;
}

async function checkPair(
  aws: AwsClients,
  r: PairRegions,
  names: { primary: string; standby: string },
  standby: Partial<HealthCheckConfig>,
) {
  const standbyArn = await createHealthCheck(aws, names.standby, checkOf(r.standbyRegion, standby));
  const primaryArn = await createHealthCheck(
    aws,
    names.primary,
    checkOf(r.primaryRegion),
    drTagList(standbyArn),
  );
  return { name: names.primary, primaryArn, standbyArn };
}

export async function buildRoute53HealthCheckPairs(aws: AwsClients, r: PairRegions): Promise<BuiltPairs> {
  const identical = [await checkPair(aws, r, twinNames("region-code", "api-health", r), {})];
  const planted = [
    {
      ...(await checkPair(aws, r, twinNames("casing", "checkout", r), { ResourcePath: "/" })),
      ruleId: "route53-health-check.resource-path",
    },
  ];
  return { type: "route53-health-check", identical, planted };
}
