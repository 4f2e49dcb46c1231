import { ops } from "../../aws/services.js";
import {
  DescribeAcceleratorCommand,
  GlobalAcceleratorClient,
  ListEndpointGroupsCommand,
  UpdateEndpointGroupCommand,
  type EndpointGroup,
} from "@aws-sdk/client-global-accelerator";
import { z } from "zod";
import {
  NotFoundError,
  reconcileByTarget,
  waitFor,
  waiting,
  type StepContext,
  type StepKind,
} from "../step.js";
import { known } from "./grants.js";
import { aws, jmesLiteral, output, word } from "../manual.js";

/** Global Accelerator's API lives in us-west-2 whatever the regions it serves. */
const API_REGION = "us-west-2";

const params = z.strictObject({
  listenerArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:globalaccelerator::\d{12}:accelerator\/[^/]+\/listener\/[^/]+$/, {
      message:
        "expected a Global Accelerator listener ARN (arn:aws:globalaccelerator::ACCOUNT:accelerator/ID/listener/ID)",
    })
    .describe("The Global Accelerator listener's ARN."),
  /** Region -> traffic dial percentage (0-100); regions not named keep theirs. */
  dials: z
    .record(z.string(), z.number().min(0).max(100))
    .describe("Region -> traffic dial percentage (0-100); endpoint groups of regions not named keep theirs."),
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
    throw new NotFoundError(
      `the listener has no endpoint group in ${unknown.join(", ")} (it has: ${[...map.keys()].join(", ")})`,
    );
  return map;
}

const show = (d: Record<string, number | undefined>) =>
  Object.entries(d)
    .map(([r, pct]) => `${r} ${pct ?? 100}%`)
    .join(", ");

/** Each named region's endpoint group and its dial, as found. */
type Before = Record<string, { arn: string; dial: number }>;

async function read(ctx: StepContext, p: Params): Promise<Before> {
  const map = byRegion(await groups(ctx, p.listenerArn), p.dials);
  return Object.fromEntries(
    Object.keys(p.dials).map((r) => [
      r,
      { arn: map.get(r)?.EndpointGroupArn ?? "", dial: map.get(r)?.TrafficDialPercentage ?? 100 },
    ]),
  );
}
const holds = (p: Params, b: Before) => Object.entries(p.dials).every(([r, pct]) => b[r]?.dial === pct);

/** Moves traffic between regions with Global Accelerator's traffic dials, then waits until the accelerator is DEPLOYED. */
export const globalAcceleratorTrafficDialStep: StepKind<Params, Before> = {
  kind: "globalaccelerator.traffic-dial",
  example: {
    listenerArn:
      "arn:aws:globalaccelerator::111122223333:accelerator/1234abcd-abcd-1234-abcd-1234abcd5678/listener/0123abcd",
    dials: { "us-east-1": 0, "us-west-2": 100 },
  },
  description:
    "sets Global Accelerator traffic dials per region (move traffic without DNS caches) and waits until deployed",
  permissions: ops("GlobalAccelerator", "ListEndpointGroups", "UpdateEndpointGroup", "DescribeAccelerator"),
  params,
  outputs: ["previous"],
  idempotent: true,
  reconciles: "done when every named region has its dial; otherwise sets the dials again",
  grants: (p) => [
    {
      actions: ["globalaccelerator:UpdateEndpointGroup"],
      resources: [
        `${known(p.listenerArn) ?? "arn:aws:globalaccelerator::*:accelerator/*/listener/*"}/endpoint-group/*`,
      ],
    },
  ],
  manual: (p) =>
    Object.entries((p.dials as Record<string, unknown> | undefined) ?? {}).map(([region, dial]) =>
      aws("globalaccelerator", "update-endpoint-group", API_REGION, {
        "endpoint-group-arn": output(
          aws("globalaccelerator", "list-endpoint-groups", API_REGION, {
            "listener-arn": p.listenerArn,
            query: word(
              "EndpointGroups[?EndpointGroupRegion==",
              jmesLiteral(region),
              "].EndpointGroupArn | [0]",
            ),
            output: "text",
          }),
        ),
        "traffic-dial-percentage": dial,
      }),
    ),
  read,
  plan: (_ctx, p, b) => ({
    current: show(Object.fromEntries(Object.entries(b).map(([r, g]) => [r, g.dial]))),
    target: show(p.dials),
    changes: !holds(p, b),
  }),
  async apply(ctx, p, now) {
    const ga = ctx.aws.get(GlobalAcceleratorClient, API_REGION);
    for (const [region, pct] of Object.entries(p.dials)) {
      const g = now[region];
      if (g && g.dial !== pct)
        await ga.send(
          new UpdateEndpointGroupCommand({ EndpointGroupArn: g.arn, TrafficDialPercentage: pct }),
        );
    }
    return {};
  },
  async settle(ctx, p, before) {
    const ga = ctx.aws.get(GlobalAcceleratorClient, API_REGION);
    const acceleratorArn = p.listenerArn.replace(/\/listener\/[^/]+$/, "");
    await waitFor(
      async () =>
        (await ga.send(new DescribeAcceleratorCommand({ AcceleratorArn: acceleratorArn }))).Accelerator
          ?.Status === "DEPLOYED"
          ? true
          : undefined,
      waiting(ctx, `accelerator ${acceleratorArn} to be deployed`),
      5000,
    );
    return {
      previous: JSON.stringify(Object.fromEntries(Object.entries(before).map(([r, g]) => [r, g.dial]))),
    };
  },
  async reconcile(ctx, p, before) {
    const now = await read(ctx, p);
    return reconcileByTarget(
      holds(p, now),
      before ? Object.keys(now).every((r) => now[r]?.dial === before[r]?.dial) : undefined,
      `dials ${show(p.dials)}`,
    );
  },
  inverse: (p, out) =>
    out.previous === undefined
      ? undefined
      : [
          {
            kind: "globalaccelerator.traffic-dial",
            params: { listenerArn: p.listenerArn, dials: JSON.parse(out.previous) as Record<string, number> },
          },
        ],
};
