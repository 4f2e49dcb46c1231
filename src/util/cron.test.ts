import { describe, expect, it } from "vitest";
import { CronError, nextTimes, parseCron } from "./cron.js";

const next = (expr: string, from: string, count = 1) =>
  nextTimes(parseCron(expr), new Date(from), count).map((d) => d.toISOString());

describe("EventBridge cron expressions", () => {
  it("fires as EventBridge would, in UTC", () => {
    expect(next("cron(0 2 * * ? *)", "2026-12-01T10:00:00Z", 2)).toEqual([
      "2026-12-02T02:00:00.000Z",
      "2026-12-03T02:00:00.000Z",
    ]);
    // Just before and exactly at a firing: the next one is strictly later.
    expect(next("cron(0 2 * * ? *)", "2026-12-02T01:59:30Z")).toEqual(["2026-12-02T02:00:00.000Z"]);
    expect(next("cron(0 2 * * ? *)", "2026-12-02T02:00:00Z")).toEqual(["2026-12-03T02:00:00.000Z"]);
    expect(next("cron(0/15 9-10 ? * MON-FRI *)", "2026-12-04T10:50:00Z", 3)).toEqual([
      "2026-12-07T09:00:00.000Z",
      "2026-12-07T09:15:00.000Z",
      "2026-12-07T09:30:00.000Z",
    ]);
    expect(next("cron(30 6 L * ? *)", "2027-02-01T00:00:00Z")).toEqual(["2027-02-28T06:30:00.000Z"]);
    // The last weekday of January 2027 (the 31st is a Sunday): Friday the 29th.
    expect(next("cron(0 0 LW * ? *)", "2027-01-01T00:00:00Z")).toEqual(["2027-01-29T00:00:00.000Z"]);
    // The weekday nearest the 15th of May 2027 (a Saturday): Friday the 14th.
    expect(next("cron(0 0 15W * ? *)", "2027-05-01T00:00:00Z")).toEqual(["2027-05-14T00:00:00.000Z"]);
    // The second Tuesday and the last Friday of the month.
    expect(next("cron(0 12 ? * 3#2 *)", "2026-12-01T00:00:00Z")).toEqual(["2026-12-08T12:00:00.000Z"]);
    expect(next("cron(0 12 ? * 6L *)", "2026-12-01T00:00:00Z")).toEqual(["2026-12-25T12:00:00.000Z"]);
    expect(next("cron(0 0 1 JAN ? 2030)", "2026-12-01T00:00:00Z")).toEqual(["2030-01-01T00:00:00.000Z"]);
    expect(next("cron(0 0 1 JAN ? 2020)", "2026-12-01T00:00:00Z")).toEqual([]);
  });

  it("refuses what EventBridge refuses, saying what is wrong", () => {
    const problem = (expr: string) => {
      try {
        parseCron(expr);
        return "accepted";
      } catch (err) {
        expect(err).toBeInstanceOf(CronError);
        return (err as Error).message;
      }
    };
    expect(problem("0 2 * * *")).toBe(
      '"0 2 * * *" is a Unix cron line; in EventBridge syntax it is cron(0 2 * * ? *)',
    );
    expect(problem("0 2 * * 1")).toBe(
      '"0 2 * * 1" is a Unix cron line; in EventBridge syntax it is cron(0 2 ? * 2 *)',
    );
    expect(problem("cron(0 2 * * *)")).toBe(
      "cron(0 2 * * *) has 5 fields; EventBridge takes 6 (minutes hours day-of-month month day-of-week year): cron(0 2 * * ? *)",
    );
    expect(problem("cron(0 2 * * * *)")).toBe(
      "day-of-month (*) and day-of-week (*) cannot both be given: write ? in one of them (cron(0 2 * * ? *))",
    );
    expect(problem("cron(0 2 ? * ? *)")).toBe(
      "day-of-month and day-of-week are both ?: one of them must say which days",
    );
    expect(problem("cron(60 2 * * ? *)")).toBe("minutes: 60 is out of range (0-59)");
    expect(problem("cron(0 2 * FOO ? *)")).toMatch(/^month: "FOO" is not a number or a name \(JAN, FEB/);
    expect(problem("cron(0 ? * * ? *)")).toBe("hours: ? is allowed only in day-of-month or day-of-week");
    expect(problem("rate(1 day)")).toBe(
      '"rate(1 day)" is a rate expression; schedules take cron(...) (cron(0 2 * * ? *))',
    );
    expect(problem("cron(0 5-2 * * ? *)")).toBe("hours: the range 5-2 runs backwards");
    expect(problem(" cron(0  2 * * ? *) ")).toBe("accepted");
  });
});
