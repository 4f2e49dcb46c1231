import { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { describe, expect, it } from "vitest";
import type { AwsClients } from "../aws/client-factory.js";
import { EndpointUnreachableError } from "../aws/errors.js";
import { discoverPairs } from "./discover.js";
import type { PairKind } from "./kind.js";
import { taggedThroughTaggingApi } from "./tagging-api.js";

/** Clients whose every call fails as an unreachable endpoint does. */
function unreachable(): AwsClients {
  const site = { service: "ResourceGroupsTaggingAPI", operation: "GetResources", region: "us-east-1" };
  const send = () =>
    Promise.reject(
      new EndpointUnreachableError(
        "could not reach the endpoint for ResourceGroupsTaggingAPI.GetResources in us-east-1: connect ECONNREFUSED",
        site,
        "ECONNREFUSED",
        undefined,
      ),
    );
  const client = new ResourceGroupsTaggingAPIClient({ region: "us-east-1" });
  client.send = send as ResourceGroupsTaggingAPIClient["send"];
  return { get: () => client } as unknown as AwsClients;
}

const kind = (type: string): PairKind<unknown> => {
  const base = {
    type,
    title: type,
    owns: () => false,
    describe: () => Promise.resolve(new Map<string, unknown>()),
    nameOf: () => type,
  };
  return { ...base, tagged: taggedThroughTaggingApi(base) };
};

describe("pair discovery when a region cannot be listed", () => {
  it("says a failed tagging listing once, however many types read it", async () => {
    const found = await discoverPairs(unreachable(), {
      kinds: [kind("a"), kind("b"), kind("c")],
      primaryRegions: ["us-east-1"],
      configPairs: [],
    });
    expect(found.findings.map((f) => [f.ruleId, f.path])).toEqual([["pair.unreadable", "region[us-east-1]"]]);
    expect(found.findings[0]?.message).toMatch(
      /could not list the tagged primaries of us-east-1: could not reach/,
    );
  });
});
