/**
 * A scan loads a type's pairing only when it has something to read and its modules only when a
 * pair of it is compared. The tagging API is answered by a stub shaped like GetResources' answer
 * (ResourceTagMappingList); the types are stand-ins whose loaders record when they are called.
 */
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import { describe, expect, it } from "vitest";
import type { AwsClients } from "../aws/client-factory.js";
import type { Arn } from "../aws/arn.js";
import type { PairKind } from "../pairs/kind.js";
import { taggedThroughTaggingApi } from "../pairs/tagging-api.js";
import { lazyType } from "../resources/lazy-type.js";
import type { ScanType } from "../resources/module.js";
import { runScan } from "./engine.js";

const PRIMARY = "arn:aws:sqs:eu-west-1:123456789012:orders";
const STANDBY = "arn:aws:sqs:eu-central-1:123456789012:orders";

/** Clients whose tagging API lists one queue tagged as a primary and one untagged function. */
function clients(events: string[]): AwsClients {
  const client = new ResourceGroupsTaggingAPIClient({ region: "eu-west-1" });
  const tag = (Key: string, Value: string) => ({ Key, Value });
  client.send = ((command: unknown) => {
    events.push(command instanceof GetResourcesCommand ? "GetResources" : "other call");
    return Promise.resolve({
      ResourceTagMappingList: [
        {
          ResourceARN: PRIMARY,
          Tags: [tag("enable", "true"), tag("isPrimary", "true"), tag("secondaryARN", STANDBY)],
        },
        { ResourceARN: "arn:aws:lambda:eu-west-1:123456789012:function:resize", Tags: [tag("team", "a")] },
      ],
    });
  }) as ResourceGroupsTaggingAPIClient["send"];
  return {
    get: () => client,
    counter: { byOperation: {}, totalRetries: 0 },
  } as unknown as AwsClients;
}

/** A stand-in type found through the tagging API, recording when its parts are loaded. */
function standIn(
  type: string,
  service: string,
  events: string[],
  tagged: "tagging-api" | "own" = "tagging-api",
) {
  const owns = (arn: Arn) => arn.service === service;
  const base = {
    type,
    title: type,
    owns,
    describe: (_aws: AwsClients, arns: readonly Arn[]) => {
      events.push(`${type} describe`);
      return Promise.resolve(
        new Map(arns.map((a) => [`arn:aws:${a.service}:${a.region}:${a.account}:${a.resource}`, a.resource])),
      );
    },
    nameOf: (name: string) => name,
  };
  const pairing: PairKind<string> =
    tagged === "own"
      ? { ...base, tagged: () => Promise.resolve({ found: [], findings: [] }) }
      : { ...base, tagged: taggedThroughTaggingApi(base) };
  return lazyType<string>({
    type,
    title: type,
    owns,
    tagged,
    recorded: false,
    pairing: () => {
      events.push(`${type} pairing loaded`);
      return Promise.resolve(pairing);
    },
    modules: () => {
      events.push(`${type} modules loaded`);
      return Promise.resolve([]);
    },
  });
}

describe("a scan's types, loaded on demand", () => {
  it("loads no type before its first call, and a type's modules only once a pair of it is found", async () => {
    const events: string[] = [];
    const types = [
      standIn("queue", "sqs", events),
      standIn("function", "lambda", events),
      standIn("group", "autoscaling", events, "own"),
    ] as unknown as ScanType<never>[];
    expect(events).toEqual([]);
    const result = await runScan(clients(events), {
      types,
      primaryRegions: ["eu-west-1"],
      configPairs: [],
      settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
      suppressions: [],
      concurrency: 2,
    });
    expect(result.pairs.map((p) => [p.name, p.secondaryArn])).toEqual([["orders", STANDBY]]);
    // The listing is asked for first; the queue type is loaded to read its primary and standby,
    // its modules once its pair is compared; the function type (nothing tagged) is never loaded;
    // the type with a listing of its own is loaded to list, and its modules never.
    expect(events[0]).toBe("GetResources");
    expect(events.filter((e) => e !== "GetResources")).toEqual([
      "queue pairing loaded",
      "queue describe",
      "group pairing loaded",
      "queue describe",
      "queue modules loaded",
    ]);
  });
});
