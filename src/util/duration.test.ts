import { describe, expect, it } from "vitest";
import {
  DURATION_EXPECTED,
  durationField,
  formatDuration,
  formatMeasured,
  parseDuration,
} from "./duration.js";

describe("durations", () => {
  it("reads what people write", () => {
    expect(parseDuration("15m")).toBe(900);
    expect(parseDuration("90s")).toBe(90);
    expect(parseDuration("1h30m")).toBe(5400);
    expect(parseDuration("2d")).toBe(172800);
    expect(parseDuration(" 0.5h ")).toBe(1800);
  });

  it.each([
    ["500ms", 0.5],
    ["1.5s", 1.5],
    ["2m30s", 150],
    ["1h30m", 5400],
    ["1h30m15s", 5415],
    ["1s500ms", 1.5],
    ["30", 30],
    ["0.5", 0.5],
    [30, 30],
    [0.25, 0.25],
    ["0s", 0],
  ] as const)("reads %j as %d seconds", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(["15 minutes", "-5m", "m", "15x", "", "1h 30m", "30m1h", "1m1m", "5sm", "ms", "1e3", "5 ms"])(
    "refuses %j",
    (bad) => {
      expect(parseDuration(bad), bad).toBeUndefined();
    },
  );

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("refuses the number %d", (bad) => {
    expect(parseDuration(bad)).toBeUndefined();
  });

  it("as a field: seconds from a string or a number, and the accepted forms when refused", () => {
    const field = durationField({ positive: true, max: 3600 });
    expect(field.parse("500ms")).toBe(0.5);
    expect(field.parse(30)).toBe(30);
    for (const bad of ["30 minutes", 0, "0s", true]) {
      const result = field.safeParse(bad);
      expect(result.success, String(bad)).toBe(false);
      expect(result.error?.issues[0]?.message).toContain(DURATION_EXPECTED);
    }
    expect(DURATION_EXPECTED).toMatch(/500ms.*1\.5s.*2m30s.*1h30m.*bare number of seconds/);
    expect(field.safeParse("2h").error?.issues[0]?.message).toBe('expected at most 60 min; found "2h"');
  });

  it("writes seconds for people", () => {
    expect(formatDuration(45)).toBe("45 s");
    expect(formatDuration(900)).toBe("15 min");
    expect(formatDuration(7500)).toBe("2 h 5 min");
    expect(formatDuration(86400 * 4)).toBe("4 d");
  });
});

describe("formatMeasured: a figure never finer than its resolution", () => {
  it("keeps the resolution's decimals below a second", () => {
    expect(formatMeasured(1.25, 0.25)).toEqual({ value: "1.25 s", within: "0.25 s" });
    expect(formatMeasured(2.5, 0.5)).toEqual({ value: "2.5 s", within: "0.5 s" });
    expect(formatMeasured(0.1, 0.1)).toEqual({ value: "0.1 s", within: "0.1 s" });
  });
  it("writes a second and more as durations are written", () => {
    expect(formatMeasured(125, 1)).toEqual({ value: formatDuration(125), within: "1 s" });
  });
});
