/**
 * EventBridge cron expressions: cron(minutes hours day-of-month month day-of-week year), in UTC.
 * Checked as EventBridge checks them (one of day-of-month and day-of-week is ?), so a schedule that
 * the deployment would refuse is refused in drctl.yaml, with where and what was expected; and the
 * next times one fires, for `drctl schedule list`.
 */

export const CRON_EXAMPLE = "cron(0 2 * * ? *)";
export const CRON_EXPECTED = `expected an EventBridge cron expression cron(minutes hours day-of-month month day-of-week year) in UTC, such as ${CRON_EXAMPLE} (every day at 02:00)`;

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
}
const FIELDS: FieldSpec[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day-of-week", min: 1, max: 7, names: DAYS },
  { name: "year", min: 1970, max: 2199 },
];

/** A day-of-month or day-of-week part that depends on the month: L, LW, 15W, 5L, 3#2. */
type Special =
  | { kind: "last-day" }
  | { kind: "last-weekday" }
  | { kind: "nearest-weekday"; day: number }
  | { kind: "last-of-week"; dow: number }
  | { kind: "nth-of-week"; dow: number; nth: number };

interface Field {
  /** `?`: this day field says nothing; the other one chooses the days. */
  unspecified?: boolean;
  any: boolean;
  values: Set<number>;
  specials: Special[];
}

export interface Cron {
  expression: string;
  minutes: Field;
  hours: Field;
  dayOfMonth: Field;
  month: Field;
  dayOfWeek: Field;
  year: Field;
}

export class CronError extends Error {}

function number(text: string, spec: FieldSpec): number {
  const upper = text.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + spec.min;
  if (!/^\d+$/.test(text))
    throw new CronError(
      `${spec.name}: "${text}" is not a number${spec.names ? ` or a name (${spec.names.join(", ")})` : ""}`,
    );
  const n = Number(text);
  if (n < spec.min || n > spec.max)
    throw new CronError(`${spec.name}: ${n} is out of range (${spec.min}-${spec.max})`);
  return n;
}

function parseField(text: string, spec: FieldSpec): Field {
  const field: Field = { any: false, values: new Set(), specials: [] };
  if (text === "?") {
    if (spec.name !== "day-of-month" && spec.name !== "day-of-week")
      throw new CronError(`${spec.name}: ? is allowed only in day-of-month or day-of-week`);
    return { ...field, any: true, unspecified: true };
  }
  for (const part of text.split(",")) {
    if (part === "") throw new CronError(`${spec.name}: an empty item in "${text}"`);
    const upper = part.toUpperCase();
    if (spec.name === "day-of-month") {
      if (upper === "L") {
        field.specials.push({ kind: "last-day" });
        continue;
      }
      if (upper === "LW") {
        field.specials.push({ kind: "last-weekday" });
        continue;
      }
      const w = /^(\d+)W$/.exec(upper);
      if (w) {
        field.specials.push({ kind: "nearest-weekday", day: number(w[1] ?? "", spec) });
        continue;
      }
    }
    if (spec.name === "day-of-week") {
      if (upper === "L") {
        field.specials.push({ kind: "last-of-week", dow: 7 });
        continue;
      }
      const last = /^(\w+)L$/.exec(upper);
      if (last) {
        field.specials.push({ kind: "last-of-week", dow: number(last[1] ?? "", spec) });
        continue;
      }
      const nth = /^(\w+)#(\d)$/.exec(upper);
      if (nth) {
        const n = Number(nth[2]);
        if (n < 1 || n > 5) throw new CronError(`${spec.name}: ${part}: the week after # is 1 to 5`);
        field.specials.push({ kind: "nth-of-week", dow: number(nth[1] ?? "", spec), nth: n });
        continue;
      }
    }
    const [range = "", stepText] = part.split("/");
    if (part.split("/").length > 2) throw new CronError(`${spec.name}: "${part}" has more than one /`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (stepText !== undefined && (!/^\d+$/.test(stepText) || step < 1))
      throw new CronError(`${spec.name}: "/${stepText}" is not a step of at least 1`);
    let from: number;
    let to: number;
    if (range === "*") {
      if (stepText === undefined) {
        field.any = true;
        continue;
      }
      [from, to] = [spec.min, spec.max];
    } else if (range.includes("-")) {
      const [a = "", b = ""] = range.split("-");
      [from, to] = [number(a, spec), number(b, spec)];
      if (from > to) throw new CronError(`${spec.name}: the range ${range} runs backwards`);
    } else {
      from = number(range, spec);
      to = stepText === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) field.values.add(v);
  }
  return field;
}

/** Parses cron(...) as EventBridge does; throws CronError saying what is wrong. */
export function parseCron(expression: string): Cron {
  const text = expression.trim();
  const inner = /^cron\((.*)\)$/i.exec(text)?.[1];
  if (inner === undefined) {
    const parts = text.split(/\s+/);
    if (/^rate\(/i.test(text))
      throw new CronError(`"${text}" is a rate expression; schedules take cron(...) (${CRON_EXAMPLE})`);
    if (parts.length === 5)
      throw new CronError(`"${text}" is a Unix cron line; in EventBridge syntax it is ${fromUnix(parts)}`);
    throw new CronError(`"${text}" is not of the form cron(...)`);
  }
  const parts = inner.trim().split(/\s+/);
  if (parts.length !== 6)
    throw new CronError(
      `cron(${inner}) has ${parts.length} fields; EventBridge takes 6 (minutes hours day-of-month month day-of-week year)${
        parts.length === 5 ? `: ${fromUnix(parts)}` : ""
      }`,
    );
  const [minutes, hours, dom, month, dow, year] = parts.map((p, i) =>
    parseField(p, FIELDS[i] as FieldSpec),
  ) as [Field, Field, Field, Field, Field, Field];
  const domQ = parts[2] === "?";
  const dowQ = parts[4] === "?";
  if (domQ === dowQ)
    throw new CronError(
      domQ
        ? "day-of-month and day-of-week are both ?: one of them must say which days"
        : `day-of-month (${parts[2] ?? ""}) and day-of-week (${parts[4] ?? ""}) cannot both be given: write ? in one of them (${CRON_EXAMPLE})`,
    );
  return {
    expression: `cron(${parts.join(" ")})`,
    minutes,
    hours,
    dayOfMonth: dom,
    month,
    dayOfWeek: dow,
    year,
  };
}

/** What a five-field Unix cron line is in EventBridge syntax (day-of-week 0-6 from Sunday becomes 1-7). */
function fromUnix([m = "*", h = "*", dom = "*", mon = "*", dow = "*"]: string[]): string {
  const week = dow.replace(/\d+/g, (d) => String((Number(d) % 7) + 1));
  return dow === "*"
    ? `cron(${m} ${h} ${dom} ${mon} ? *)`
    : `cron(${m} ${h} ${dom === "*" ? "?" : dom} ${mon} ${week} *)`;
}

const has = (f: Field, v: number) => f.any || f.values.has(v);

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function weekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1; // 1 = SUN .. 7 = SAT
}

/** The weekday (Mon-Fri) nearest to `day` within the month, as W means. */
function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysIn(year, month);
  const d = Math.min(day, last);
  const w = weekday(year, month, d);
  if (w === 7) return d === 1 ? 3 : d - 1; // Saturday: Friday, or Monday the 3rd
  if (w === 1) return d === last ? d - 2 : d + 1; // Sunday: Monday, or Friday
  return d;
}

function dayMatches(c: Cron, year: number, month: number, day: number): boolean {
  const dow = weekday(year, month, day);
  const last = daysIn(year, month);
  if (!c.dayOfMonth.unspecified) {
    if (c.dayOfMonth.any || c.dayOfMonth.values.has(day)) return true;
    return c.dayOfMonth.specials.some((s) =>
      s.kind === "last-day"
        ? day === last
        : s.kind === "last-weekday"
          ? day === nearestWeekday(year, month, last)
          : s.kind === "nearest-weekday"
            ? day === nearestWeekday(year, month, s.day)
            : false,
    );
  }
  if (c.dayOfWeek.any || c.dayOfWeek.values.has(dow)) return true;
  return c.dayOfWeek.specials.some((s) =>
    s.kind === "last-of-week"
      ? dow === s.dow && day + 7 > last
      : s.kind === "nth-of-week"
        ? dow === s.dow && Math.ceil(day / 7) === s.nth
        : false,
  );
}

/** The first times after `from` the schedule fires (UTC), at most `count`, within the next 10 years. */
export function nextTimes(c: Cron, from: Date, count = 1): Date[] {
  const out: Date[] = [];
  const start = new Date(Math.floor(from.getTime() / 60_000) * 60_000 + 60_000);
  const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  for (let i = 0; i < 3660 && out.length < count; i++, day.setUTCDate(day.getUTCDate() + 1)) {
    const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    if (!has(c.year, y) || !has(c.month, m) || !dayMatches(c, y, m, d)) continue;
    for (let h = 0; h < 24 && out.length < count; h++) {
      if (!has(c.hours, h)) continue;
      for (let min = 0; min < 60 && out.length < count; min++) {
        if (!has(c.minutes, min)) continue;
        const at = new Date(Date.UTC(y, m - 1, d, h, min));
        if (at >= start) out.push(at);
      }
    }
  }
  return out;
}
