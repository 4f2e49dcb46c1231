import { describe, expect, it } from "vitest";
import { formatDuration, formatMeasured, parseDuration } from "./duration.js";

describe("durations", () => {
  it("reads what people write", () => {
    expect(parseDuration("15m")).toBe(900);
    expect(parseDuration("90s")).toBe(90);
    expect(parseDuration("1h30m")).toBe(5400);
    expect(parseDuration("2d")).toBe(172800);
    expect(parseDuration(" 0.5h ")).toBe(1800);
  });

  it("refuses what is no duration", () => {
    for (const bad of ["15 minutes", "-5m", "900", "m", "15x", "", "1h 30m"])
      expect(parseDuration(bad), bad).toBeUndefined();
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
