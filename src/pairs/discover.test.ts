import { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { describe, expect, it } from "vitest";
import type { AwsClients } from "../aws/client-factory.js";
import { AccessDeniedError, EndpointUnreachableError } from "../aws/errors.js";
import { discoverPairs } from "./discover.js";
import type { PairKind } from "./kind.js";
import { recordedPerRegion } from "./recorded.js";
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

describe("pairs AWS records", () => {
  const denied = new AccessDeniedError(
    "access denied to RDS.DescribeDBInstances in eu-central-1: not authorized",
    { service: "RDS", operation: "DescribeDBInstances", region: "eu-central-1" },
    "AccessDenied",
    undefined,
  );
  const arn = (region: string, name: string) => `arn:aws:rds:${region}:123456789012:db:${name}`;
  const recordedKind: PairKind<string> = {
    type: "rds-instance",
    title: "DB instance",
    owns: (a) => a.service === "rds",
    tagged: () => Promise.resolve({ found: [], findings: [] }),
    describe: (_aws, arns) =>
      Promise.resolve(
        new Map(arns.map((a) => [`arn:aws:rds:${a.region}:${a.account}:db:${a.resourceId}`, a.resourceId])),
      ),
    nameOf: (r) => r,
    recorded: (_aws, regions) =>
      recordedPerRegion("DB instance", regions, (region) =>
        region === "eu-central-1"
          ? Promise.reject(denied)
          : Promise.resolve([
              {
                primaryArn: arn(region, "db1"),
                standbyArn: arn("ap-southeast-2", "db1-dr"),
                via: "the replica",
              },
            ]),
      ),
  };

  it("says a region whose read failed, naming the call and region, and still pairs the other regions", async () => {
    const found = await discoverPairs({ get: () => undefined } as unknown as AwsClients, {
      kinds: [recordedKind],
      primaryRegions: ["ca-central-1", "eu-central-1"],
      configPairs: [],
    });
    expect(found.pairs.map((p) => [p.name, p.standbyName, p.via])).toEqual([
      ["db1", "db1-dr", "the replica"],
    ]);
    expect(found.findings.map((f) => [f.ruleId, f.status, f.path, f.message])).toEqual([
      [
        "pair.unreadable",
        "error",
        "region[eu-central-1]",
        "could not read the db instance pairs AWS records in eu-central-1 (replicas, global members): access denied to RDS.DescribeDBInstances in eu-central-1: not authorized",
      ],
    ]);
  });
});
