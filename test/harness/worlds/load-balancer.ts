/** Application load balancer pairs, each side in a network of its own region; a planted difference. */
import { EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
  type CreateLoadBalancerCommandInput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { buildNetwork, type Network } from "../../../demo/world/network.js";
import type { AwsClients } from "../../../src/aws/client-factory.js";
import { drTagList, required, twinNames, type BuiltPairs, type PairRegions } from "./common.js";

/** An application load balancer in `network`'s subnets, `over` changed; its ARN. */
export async function createLoadBalancer(
  aws: AwsClients,
  region: string,
  network: Network,
  name: string,
  over: Partial<CreateLoadBalancerCommandInput> = {},
): Promise<string> {
  const out = await aws
    .get(ElasticLoadBalancingV2Client, region)
    .send(
      new CreateLoadBalancerCommand({ Name: name, Type: "application", Subnets: network.subnetIds, ...over }),
    );
  return required(out.LoadBalancers?.[0]?.LoadBalancerArn, `ARN for load balancer ${name}`);
}

export async function buildLoadBalancerPairs(aws: AwsClients, r: PairRegions): Promise<BuiltPairs> {
  const networks = {
    primary: await buildNetwork(aws.get(EC2Client, r.primaryRegion), r.primaryRegion, "10.10"),
    standby: await buildNetwork(aws.get(EC2Client, r.standbyRegion), r.standbyRegion, "10.20"),
  };
  const pair = async (
    names: { primary: string; standby: string },
    standby: Partial<CreateLoadBalancerCommandInput>,
  ) => {
    const standbyArn = await createLoadBalancer(
      aws,
      r.standbyRegion,
      networks.standby,
      names.standby,
      standby,
    );
    const primaryArn = await createLoadBalancer(aws, r.primaryRegion, networks.primary, names.primary, {
      Tags: drTagList(standbyArn),
    });
    return { name: names.primary, primaryArn, standbyArn };
  };
  const identical = [await pair(twinNames("casing", "blue", r), {})];
  const planted = [
    { ...(await pair(twinNames("role", "shop", r), { Scheme: "internal" })), ruleId: "load-balancer.scheme" },
  ];
  return { type: "load-balancer", identical, planted };
}
