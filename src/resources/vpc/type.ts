/**
 * The VPC as a readiness type: the network a failover lands in, compared by meaning (tiers,
 * zones, free addresses, ways out, endpoints, DNS), never by ids or addresses.
 */
import type { Vpc } from "@aws-sdk/client-ec2";
import type { ResourceType } from "../module.js";
import { vpcModule } from "./index.js";
import { vpcPairing } from "./pairing.js";

export const vpcType = {
  pairing: vpcPairing,
  modules: [vpcModule],
  // Its quota checks read region-wide usage that other resources change.
  readsState: true,
} as unknown as ResourceType<Vpc>;
