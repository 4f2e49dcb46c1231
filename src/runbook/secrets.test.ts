import { describe, expect, it } from "vitest";
import { InputError } from "../errors.js";
import { MIN_SECRET_LENGTH, REDACTED, Secrets } from "./secrets.js";

describe("Secrets", () => {
  it("scrubs every value it holds, from the shortest it takes up, in its JSON and URL forms too", () => {
    const secrets = new Secrets();
    secrets.add("7391");
    secrets.add('pa"ss word');
    expect(MIN_SECRET_LENGTH).toBe(4);
    expect(secrets.scrub("pin=7391 at 10:00")).toBe(`pin=${REDACTED} at 10:00`);
    expect(secrets.scrub('{"p":"pa\\"ss word"} ?p=pa%22ss%20word')).toBe(
      `{"p":"${REDACTED}"} ?p=${REDACTED}`,
    );
  });

  it("refuses a value too short to scrub (3 characters) rather than leave it in the output", () => {
    const secrets = new Secrets();
    expect(() => secrets.add("739", "the SSM parameter /app/pin")).toThrow(InputError);
    expect(() => secrets.add("739", "the SSM parameter /app/pin")).toThrow(
      /^the SSM parameter \/app\/pin is a SecureString value of fewer than 4 characters/,
    );
    expect(() => secrets.add("739")).not.toThrow(/739/);
    expect(secrets.size).toBe(0);
  });
});
