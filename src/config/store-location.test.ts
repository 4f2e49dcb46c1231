import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../errors.js";
import { parseStoreLocation } from "./store-location.js";

describe("parseStoreLocation", () => {
  it("reads a DynamoDB table, keeping the case of its name", () => {
    expect(parseStoreLocation("dynamodb://Drctl_History.v2?region=eu-west-1", "--store")).toEqual({
      kind: "dynamodb",
      table: "Drctl_History.v2",
      region: "eu-west-1",
      text: "dynamodb://Drctl_History.v2?region=eu-west-1",
    });
    expect(parseStoreLocation("DynamoDB:///drctl?region=us-east-1", "--store")).toMatchObject({
      table: "drctl",
    });
  });

  it("reads anything without a scheme as a SQLite file, ~ as the home folder", () => {
    expect(parseStoreLocation("history.sqlite", "--store")).toEqual({
      kind: "sqlite",
      file: resolve("history.sqlite"),
    });
    expect(parseStoreLocation("~/h.sqlite", "--store")).toEqual({
      kind: "sqlite",
      file: join(homedir(), "h.sqlite"),
    });
    expect(parseStoreLocation("C:\\drctl\\h.sqlite", "--store").kind).toBe("sqlite");
    expect(parseStoreLocation("./dynamo:/x", "--store").kind).toBe("sqlite");
  });

  it.each([
    ["dynamo://x", /found the scheme "dynamo:" \(did you mean dynamodb:\/\/\?\)$/],
    ["dynamodb:/x?region=us-east-1", /found the scheme "dynamodb:" \(did you mean dynamodb:\/\/\?\)$/],
    ["s3://bucket/history", /found the scheme "s3:"$/],
    ["dynamodb://?region=us-east-1", /the table name is missing$/],
    ["dynamodb://ab?region=us-east-1", /"ab" is not a DynamoDB table name/],
    ["dynamodb://drctl", /the region is missing \(\?region=us-east-1\)$/],
    ["dynamodb://drctl?region=us-east-1&ttl=3", /unknown parameter "ttl"$/],
    ["dynamodb://drctl?region=mars-1", /unknown AWS region "mars-1" in the store location of --store/],
    ["  ", /it is empty$/],
  ])("refuses %j, naming both accepted forms and where it came from", (value, why) => {
    let err: unknown;
    try {
      parseStoreLocation(value, "--store");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const message = (err as Error).message;
    expect(message).toMatch(why);
    if (!message.includes("unknown AWS region"))
      expect(message).toContain(
        `store location ${JSON.stringify(value)} (from --store): expected dynamodb://TABLE?region=REGION or a file path; `,
      );
  });
});
