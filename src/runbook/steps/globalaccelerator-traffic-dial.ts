import {
  DescribeAcceleratorCommand,
  GlobalAcceleratorClient,
  ListEndpointGroupsCommand,
  UpdateEndpointGroupCommand,
  type EndpointGroup,
} from "@aws-sdk/client-global-accelerator";
import { z } from "zod";
import { waitFor, type StepContext, type StepKind } from "../step.js";

/** Global Accelerator's API lives in us-west-2 whatever the regions it serves. */
const API_REGION = "us-west-2";

const params = z.strictObject({
  listenerArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:globalaccelerator::\d{12}:accelerator\/[^/]+\/listener\/[^/]+$/, {
      message:
        "expected a Global Accelerator listener ARN (arn:aws:globalaccelerator::ACCOUNT:accelerator/ID/listener/ID)",
    }),
  /** Region -> traffic dial percentage (0-100); regions not named keep theirs. */
  dials: z.record(z.string(), z.number().min(0).max(100)),
});
type Params = z.infer<typeof params>;

async function groups(ctx: StepContext, listenerArn: string): Promise<EndpointGroup[]> {
  const ga = ctx.aws.get(GlobalAcceleratorClient, API_REGION);
  const all: EndpointGroup[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ga.send(new ListEndpointGroupsCommand({ ListenerArn: listenerArn, NextToken }));
    all.push(...(page.EndpointGroups ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}

function byRegion(all: EndpointGroup[], dials: Record<string, number>): Map<string, EndpointGroup> {
  const map = new Map(all.map((g) => [g.EndpointGroupRegion ?? "", g]));
  const unknown = Object.keys(dials).filter((r) => !map.has(r));
  if (unknown.length)
    throw new Error(
      `the listener has no endpoint group in ${unknown.join(", ")} (it has: ${[...map.keys()].join(", ")})`,
    );
  return map;
}

const show = (d: Record<string, number | undefined>) =>
  Object.entries(d)
    .map(([r, pct]) => `${r} ${pct ?? 100}%`)
    .join(", ");

/** Moves traffic between regions with Global Accelerator's traffic dials, then waits until the accelerator is DEPLOYED. */
export const globalAcceleratorTrafficDialStep: StepKind<Params> = {
  kind: "globalaccelerator.traffic-dial",
  description:
    "sets Global Accelerator traffic dials per region (move traffic without DNS caches) and waits until deployed",
  permissions: [
    "globalaccelerator:ListEndpointGroups",
    "globalaccelerator:UpdateEndpointGroup",
    "globalaccelerator:DescribeAccelerator",
  ],
  params,
  outputs: ["previous"],
  async plan(ctx, p) {
    const map = byRegion(await groups(ctx, p.listenerArn), p.dials);
    const now = Object.fromEntries(Object.keys(p.dials).map((r) => [r, map.get(r)?.TrafficDialPercentage]));
    return {
      current: show(now),
      target: show(p.dials),
      changes: Object.entries(p.dials).some(([r, pct]) => (now[r] ?? 100) !== pct),
    };
  },
  async execute(ctx, p) {
    const ga = ctx.aws.get(GlobalAcceleratorClient, API_REGION);
    const map = byRegion(await groups(ctx, p.listenerArn), p.dials);
    const previous: Record<string, number> = {};
    for (const [region, pct] of Object.entries(p.dials)) {
      const g = map.get(region);
      previous[region] = g?.TrafficDialPercentage ?? 100;
      if (previous[region] !== pct)
        await ga.send(
          new UpdateEndpointGroupCommand({
            EndpointGroupArn: g?.EndpointGroupArn,
            TrafficDialPercentage: pct,
          }),
        );
    }
    const acceleratorArn = p.listenerArn.replace(/\/listener\/[^/]+$/, "");
    await waitFor(
      async () =>
        (await ga.send(new DescribeAcceleratorCommand({ AcceleratorArn: acceleratorArn }))).Accelerator
          ?.Status === "DEPLOYED"
          ? true
          : undefined,
      ctx.signal,
      5000,
    );
    return { previous: JSON.stringify(previous) };
  },
  inverse: (p, out) => [
    {
      kind: "globalaccelerator.traffic-dial",
      params: {
        listenerArn: p.listenerArn,
        dials: JSON.parse(out.previous ?? "{}") as Record<string, number>,
      },
    },
  ],
};
