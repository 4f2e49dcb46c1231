/**
 * Probes: what a client sees. Each endpoint is requested on a fixed schedule (tick n at start +
 * n x interval, whatever the previous answer took), on a new connection each time, its name
 * resolved afresh each time (through the system resolver, given DNS servers, or a resolver a test
 * or the demo injects), and every answer is kept: when it was sent, its status, its latency, the
 * address it went to and which region served it.
 */
import { lookup as systemLookup, Resolver as DnsResolver } from "node:dns/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import type { DrillSample } from "../core/drill-result.js";
import type { DrillEndpoint } from "./schema.js";

/** Answers a host name with one address. */
export interface Resolver {
  readonly description: string;
  lookup(host: string): Promise<{ address: string; family: 4 | 6 }>;
}

/** getaddrinfo, as most clients resolve (what /etc/hosts, nsswitch and the OS resolver say). */
export const systemResolver: Resolver = {
  description: "the system resolver",
  async lookup(host) {
    const r = await systemLookup(host);
    return { address: r.address, family: r.family === 6 ? 6 : 4 };
  },
};

/** Asks these DNS servers ("10.0.0.2", "127.0.0.1:5353") directly, no cache between probes. */
export function serversResolver(servers: string[], timeoutMs: number): Resolver {
  const r = new DnsResolver({ timeout: Math.max(100, Math.floor(timeoutMs / 2)), tries: 1 });
  r.setServers(servers);
  return {
    description: `DNS servers ${servers.join(", ")}`,
    async lookup(host) {
      try {
        const [a] = await r.resolve4(host);
        if (a) return { address: a, family: 4 };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENODATA") throw err;
      }
      const [aaaa] = await r.resolve6(host);
      if (!aaaa) throw new Error(`no address for ${host}`);
      return { address: aaaa, family: 6 };
    },
  };
}

/** Which side served an answer: the region field said so, another value, or none was found. */
export type Side = DrillSample["side"];

/** One probe: when it was sent (ms since the epoch), its latency, status, region and address. */
export type ProbeSample = DrillSample;

export interface ProbeSettings {
  timeoutMs: number;
  resolver: Resolver;
  /** The values of the region field that name each side (lower-cased). */
  primaryValue: (e: DrillEndpoint) => string;
  standbyValue: (e: DrillEndpoint) => string;
}

const MAX_BODY = 64 * 1024;

/** The region an answer names, from its header, JSON body field or body pattern. */
export function regionOf(
  e: DrillEndpoint,
  headers: IncomingMessage["headers"],
  body: string,
): string | undefined {
  const f = e.region;
  if (!f) return undefined;
  if (f.header) {
    const v = headers[f.header.toLowerCase()];
    return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
  }
  if (f.json) {
    try {
      const v = f.json
        .split(".")
        .reduce<unknown>(
          (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
          JSON.parse(body) as unknown,
        );
      return typeof v === "string" && v.trim() ? v.trim() : undefined;
    } catch {
      return undefined;
    }
  }
  if (f.pattern) return new RegExp(f.pattern).exec(body)?.[1]?.trim() || undefined;
  return undefined;
}

/** One request to `e`, as a client would make it; never throws. */
export async function probeOnce(e: DrillEndpoint, s: ProbeSettings, at = Date.now()): Promise<ProbeSample> {
  const url = new URL(e.url);
  const base: ProbeSample = { endpoint: e.name, at, ms: 0, ok: false, side: "unknown" };
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const signal = AbortSignal.timeout(s.timeoutMs);
  let address: string;
  try {
    address = isIP(host) ? host : (await s.resolver.lookup(host)).address;
  } catch (err) {
    return {
      ...base,
      ms: Date.now() - at,
      error: `resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    };
  }
  const https = url.protocol === "https:";
  return new Promise<ProbeSample>((resolve) => {
    const done = (r: Partial<ProbeSample>) => resolve({ ...base, address, ms: Date.now() - at, ...r });
    const req = (https ? httpsRequest : httpRequest)(
      {
        host: address,
        port: url.port || (https ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: "GET",
        headers: { host: e.host ?? url.host, "user-agent": "drctl-drill", connection: "close" },
        // A new connection each time: a kept-alive one would stay with the region it reached first.
        agent: false,
        signal,
        ...(https ? { servername: e.sni ?? e.host ?? (isIP(host) ? undefined : host) } : {}),
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          if (body.length < MAX_BODY) body += d;
        });
        res.on("end", () => {
          const region = regionOf(e, res.headers, body);
          const v = region?.toLowerCase();
          const side: Side =
            v === undefined
              ? "unknown"
              : v === s.standbyValue(e)
                ? "standby"
                : v === s.primaryValue(e)
                  ? "primary"
                  : "other";
          const statusOk = res.statusCode === e.expect.status;
          const bodyOk = e.expect.body === undefined || body.includes(e.expect.body);
          done({
            ok: statusOk && bodyOk,
            ...(res.statusCode !== undefined ? { status: res.statusCode } : {}),
            ...(region !== undefined ? { region } : {}),
            side,
            ...(statusOk && !bodyOk ? { error: `body without "${e.expect.body ?? ""}"` } : {}),
          });
        });
        res.on("error", (err) => done({ error: err.message }));
      },
    );
    req.on("error", (err: NodeJS.ErrnoException) =>
      done({ error: signal.aborted ? `no answer in ${s.timeoutMs} ms` : (err.code ?? err.message) }),
    );
    req.end();
  });
}

/**
 * Probes every endpoint every `intervalMs` until stopped. A tick does not wait for the answer
 * before it: the schedule is kept even when the region does not answer (up to the timeout).
 */
export class Prober {
  private readonly slots = new Map<string, (ProbeSample | undefined)[]>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly listeners = new Set<() => void>();
  private stopped = false;
  /** Ticks that fired late, in ms (for the benchmark: how well the schedule holds). */
  readonly lateness: number[] = [];

  constructor(
    private readonly endpoints: readonly DrillEndpoint[],
    private readonly intervalMs: number,
    private readonly settings: ProbeSettings,
    private readonly probe: typeof probeOnce = probeOnce,
  ) {
    for (const e of endpoints) this.slots.set(e.name, []);
  }

  start(): void {
    const t0 = Date.now();
    this.endpoints.forEach((e, i) => {
      // Endpoints spread over the interval, so ten probes do not leave in one burst.
      const offset = (this.intervalMs * i) / this.endpoints.length;
      let n = 0;
      const tick = () => {
        if (this.stopped) return;
        const due = t0 + offset + n * this.intervalMs;
        const now = Date.now();
        this.lateness.push(now - due);
        const slots = this.slots.get(e.name) as (ProbeSample | undefined)[];
        const index = slots.length;
        slots.push(undefined);
        const p = this.probe(e, this.settings, now).then((sample) => {
          slots[index] = sample;
          for (const l of this.listeners) l();
        });
        this.inFlight.add(p);
        void p.finally(() => this.inFlight.delete(p));
        n++;
        // The next tick is due at t0 + offset + n x interval: late ticks do not push the schedule.
        let next = t0 + offset + n * this.intervalMs;
        while (next < Date.now()) {
          n++;
          next = t0 + offset + n * this.intervalMs;
        }
        this.timers[i] = setTimeout(tick, next - Date.now());
      };
      this.timers[i] = setTimeout(tick, Math.max(0, t0 + offset - Date.now()));
    });
  }

  /** Stops ticking and waits for the answers in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.all([...this.inFlight]);
  }

  /** The answered probes of one endpoint, in the order they were sent, up to the first unanswered one. */
  answered(endpoint: string): ProbeSample[] {
    const slots = this.slots.get(endpoint) ?? [];
    const out: ProbeSample[] = [];
    for (const s of slots) {
      if (!s) break;
      out.push(s);
    }
    return out;
  }

  /** Every answered probe, by the time it was sent. */
  samples(): ProbeSample[] {
    return [...this.slots.values()]
      .flatMap((s) => s.filter((x): x is ProbeSample => x !== undefined))
      .sort((a, b) => a.at - b.at);
  }

  /** Resolves once `holds()` is true after an answer, or undefined when `signal` aborts first. */
  until<T>(holds: () => T | undefined, signal: AbortSignal): Promise<T | undefined> {
    return new Promise((resolve) => {
      const check = () => {
        const v = holds();
        if (v !== undefined) finish(v);
      };
      const finish = (v: T | undefined) => {
        this.listeners.delete(check);
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      };
      const onAbort = () => finish(undefined);
      this.listeners.add(check);
      signal.addEventListener("abort", onAbort, { once: true });
      if (signal.aborted) return finish(undefined);
      check();
    });
  }
}
