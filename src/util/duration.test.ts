import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration.js";

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
