import { describe, expect, it } from "vitest";
import { configSchema } from "../config/schema.js";
import { glob } from "../util/glob.js";
import { ignoringOwnStore } from "./own-store.js";

const config = configSchema.parse({ freshness: { ignore: ["arn:aws:s3:::scratch"] } });

describe("drctl's own history table", () => {
  it("is ignored by freshness when the history is in DynamoDB, beside what drctl.yaml ignores", () => {
    const ignore = ignoringOwnStore(config, {
      kind: "dynamodb",
      table: "drctl-history",
      region: "eu-west-1",
      text: "dynamodb://drctl-history?region=eu-west-1",
    }).freshness.ignore;
    expect(ignore[0]).toBe("arn:aws:s3:::scratch");
    const own = glob(ignore[1] ?? "");
    expect(own.test("arn:aws:dynamodb:eu-west-1:123456789012:table/drctl-history")).toBe(true);
    expect(own.test("arn:aws:dynamodb:eu-west-1:123456789012:table/drctl-history-archive")).toBe(false);
    expect(own.test("arn:aws:dynamodb:us-east-1:123456789012:table/drctl-history")).toBe(false);
  });

  it("changes nothing when the history is a SQLite file", () => {
    expect(ignoringOwnStore(config, { kind: "sqlite", file: "/tmp/h.sqlite" })).toBe(config);
  });
});
