import { z } from "zod";
import { pause, readsNothing, type StepContext, type StepKind } from "../step.js";
import { comment, sh } from "../manual.js";
import { urlField } from "../../util/url.js";
import { durationField } from "../../util/duration.js";

const params = z.strictObject({
  url: urlField({ protocol: /^https?$/, error: "expected an http:// or https:// URL" }).describe(
    "The http:// or https:// URL to request (GET, redirects not followed); no user or password in it.",
  ),
  expectStatus: z.number().int().min(100).max(599).default(200).describe("The status a passing answer has."),
  /** Text the body must contain. */
  expectBody: z.string().optional().describe("Text the body must contain."),
  /** Passes in a row before the check counts as stable. */
  consecutive: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(3)
    .describe("Passes in a row before the check counts as stable."),
  intervalSeconds: durationField({ max: 300 })
    .default(5)
    .describe("The wait between requests: a duration or a number of seconds; at most 5m."),
  requestTimeoutSeconds: durationField({ positive: true, max: 60 })
    .default(5)
    .describe(
      "A request without an answer in this time fails: a duration or a number of seconds; at most 1m.",
    ),
});
type Params = z.infer<typeof params>;

/** One request: whether it passed, and what was seen. */
async function probe(ctx: StepContext, p: Params): Promise<{ ok: boolean; seen: string }> {
  try {
    const res = await fetch(p.url, {
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(p.requestTimeoutSeconds * 1000)]),
      redirect: "manual",
    });
    const body = await res.text();
    const bodyOk = p.expectBody === undefined || body.includes(p.expectBody);
    return {
      ok: res.status === p.expectStatus && bodyOk,
      seen: `${res.status}${bodyOk ? "" : `, body without "${p.expectBody ?? ""}"`}`,
    };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return {
      ok: false,
      seen:
        (err as Error).cause instanceof Error
          ? ((err as Error).cause as Error).message
          : (err as Error).message,
    };
  }
}

/** Repeats a request until it answers as expected `consecutive` times in a row (or the step times out). */
export const httpCheckStep: StepKind<Params, { ok: boolean; seen: string }> = {
  kind: "http.check",
  example: { url: "https://app.example.com/health", expectBody: "ok", consecutive: 3, intervalSeconds: "5s" },
  description: "requests a URL until it answers with the expected status and body several times in a row",
  permissions: [],
  params,
  outputs: ["status", "requests"],
  ...readsNothing,
  checksHealth: true,
  manual: (p) => [
    `curl -s --max-time 10 -w '\\n%{http_code}\\n' ${sh(p.url)}` +
      comment(
        "expect ",
        p.expectStatus ?? 200,
        ...(p.expectBody === undefined ? [] : ["; a body with ", p.expectBody]),
        ...(p.consecutive === undefined ? [] : ["; ", p.consecutive, " times in a row"]),
      ),
  ],
  read: (ctx, p) => probe(ctx, p),
  plan(_ctx, p, now) {
    const want = `${p.expectStatus}${p.expectBody ? ` with "${p.expectBody}"` : ""}`;
    return {
      current: `GET ${p.url} -> ${now.seen}`,
      target: `GET ${p.url} -> ${want}, ${p.consecutive} times in a row`,
      changes: !now.ok,
    };
  },
  async settle(ctx, p) {
    let streak = 0;
    let requests = 0;
    for (;;) {
      const r = await probe(ctx, p);
      requests++;
      streak = r.ok ? streak + 1 : 0;
      if (!r.ok) ctx.log(`GET ${p.url} -> ${r.seen}; waiting`);
      if (streak >= p.consecutive) return { status: String(p.expectStatus), requests: String(requests) };
      await pause(p.intervalSeconds * 1000, ctx.signal);
    }
  },
  inverse: () => [],
};
