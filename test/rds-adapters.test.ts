/**
 * RDS reads the emulator does not answer as AWS does, against responses shaped as the RDS API
 * reference shows them (aws-sdk-client-mock).
 */
import {
  DescribeDBParametersCommand,
  RDSClient,
  type DescribeDBParametersCommandInput,
  type DescribeDBParametersCommandOutput,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { RegionCache } from "../src/aws/region-cache.js";
import { userParameters } from "../src/resources/rds-common/list.js";
import { mockedAws } from "./harness/mocked-aws.js";

const rds = mockClient(RDSClient);
afterEach(() => rds.reset());

async function cache(): Promise<RegionCache> {
  const aws = await mockedAws({ maxAttempts: 1 });
  return new RegionCache(aws, "us-east-1", undefined);
}

/** Two pages as AWS returns them: a Marker on the first, engine-default parameters filtered out by Source=user. */
const PAGES: Record<string, DescribeDBParametersCommandOutput> = {
  first: {
    $metadata: {},
    Marker: "page-2",
    Parameters: [
      {
        ParameterName: "max_connections",
        ParameterValue: "200",
        Source: "user",
        ApplyType: "static",
        DataType: "integer",
        IsModifiable: true,
        ApplyMethod: "pending-reboot",
      },
    ],
  },
  second: {
    $metadata: {},
    Parameters: [
      {
        ParameterName: "work_mem",
        ParameterValue: "65536",
        Source: "user",
        ApplyType: "dynamic",
        DataType: "integer",
        IsModifiable: true,
        ApplyMethod: "immediate",
      },
      // Listed without a value: left at the engine's default.
      { ParameterName: "statement_timeout", Source: "user", ApplyType: "dynamic", IsModifiable: true },
    ],
  },
};

describe("DB parameter groups (aws-sdk-client-mock, API-shaped: moto keeps no engine defaults, so Source=user filters nothing there)", () => {
  it("asks only for the parameters people set, follows the Marker, and reads a group once", async () => {
    // Copied as sent: the SDK's paginator reuses one input object for every page.
    const sent: (string | undefined)[][] = [];
    rds.on(DescribeDBParametersCommand).callsFake((input: DescribeDBParametersCommandInput) => {
      sent.push([input.DBParameterGroupName, input.Source, input.Marker]);
      return input.Marker ? PAGES["second"] : PAGES["first"];
    });
    const c = await cache();
    const [a, b] = await Promise.all([
      userParameters(c, "orders-params"),
      userParameters(c, "orders-params"),
    ]);
    expect(a).toEqual({ max_connections: "200", work_mem: "65536" });
    expect(b).toBe(a);
    expect(sent).toEqual([
      ["orders-params", "user", undefined],
      ["orders-params", "user", "page-2"],
    ]);
  });

  it("does not read a default group: nobody can set anything in it", async () => {
    expect(await userParameters(await cache(), "default.postgres15")).toEqual({});
    expect(rds.commandCalls(DescribeDBParametersCommand)).toHaveLength(0);
  });
});
