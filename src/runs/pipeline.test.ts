import { describe, expect, it } from "vitest";
import type { Finding } from "../core/finding.js";
import type { ScanResult } from "../core/scan-result.js";
import type { HistoryStore, RunHeader, StoredRun } from "../history/types.js";
import { SCAN_RUN } from "./kinds.js";
import { finishRun, recordRun, sendStored, type Delivery } from "./pipeline.js";

/** The history in memory: newest first by start time, as the real stores list. */
class MemoryHistory implements HistoryStore {
  readonly description = "memory";
  readonly runs: StoredRun[] = [];
  failing = false;
  save(run: StoredRun): Promise<void> {
    if (this.failing) return Promise.reject(new Error("the disk is full"));
    this.runs.push(run);
    return Promise.resolve();
  }
  recordChanges(): Promise<void> {
    return Promise.resolve();
  }
  changesSince(): Promise<never[]> {
    return Promise.resolve([]);
  }
  list(options: { kind?: string; limit?: number } = {}): Promise<RunHeader[]> {
    return Promise.resolve(
      this.runs
        .filter((r) => !options.kind || r.kind === options.kind)
        .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
        .slice(0, options.limit ?? 50),
    );
  }
  get(id: string): Promise<StoredRun | undefined> {
    return Promise.resolve(this.runs.find((r) => r.id === id));
  }
  close(): void {}
}

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/1";

const finding = (ruleId: string, status: Finding["status"] = "drift"): Finding => ({
  pair: "web",
  primaryArn: ARN,
  secondaryArn: null,
  resourceType: ruleId.split(".")[0] ?? "",
  ruleId,
  severity: "high",
  status,
  path: "listener[443]",
  primary: null,
  secondary: null,
  message: ruleId,
  remediation: "",
});

const scan = (at: string, ...findings: Finding[]): ScanResult => ({
  version: 1,
  generatedAt: `2026-12-0${at}T12:00:00.000Z`,
  strategy: "pilot-light",
  pairs: [
    {
      name: "web",
      primaryArn: ARN,
      secondaryArn: null,
      status: findings.some((f) => f.status === "error") ? "error" : findings.length ? "drift" : "pass",
      counts: { critical: 0, high: findings.length, medium: 0, low: 0, info: 0 },
      findings,
    },
  ],
  expiredSuppressions: [],
  stats: { pairs: 1, durationMs: 1, calls: {}, retries: 0 },
});

const unreadable = finding("listener.unreadable", "error");
const drift = finding("listener.port");

describe("the run pipeline", () => {
  it("compares a run with the newest complete run before it, never with one that could not read everything", async () => {
    const history = new MemoryHistory();
    const store = () => Promise.resolve(history);
    await recordRun(SCAN_RUN, scan("1", drift), { id: "a", store });
    // The cloud keeps a run that could not read everything; its diff says unknown, not resolved.
    const b = await recordRun(SCAN_RUN, scan("2", unreadable), { id: "b", store, keepIncomplete: true });
    expect(b.stored?.store).toBe("memory");
    expect(b.unread).toEqual(["listener.unreadable"]);
    expect(b.diff.resolved).toEqual([]);
    expect(b.diff.unknown.map((f) => f.ruleId)).toEqual(["listener.port"]);
    // The next complete run is compared with a: the drift is unchanged, not new.
    const c = await recordRun(SCAN_RUN, scan("3", drift), { id: "c", store });
    expect(c.diff.from).toBe("a");
    expect(c.diff.new).toEqual([]);
    expect(c.diff.unchanged.map((f) => f.ruleId)).toEqual(["listener.port"]);
  });

  it("does not keep, send or call clean a run that could not read everything (exit 3)", async () => {
    const history = new MemoryHistory();
    const sent: string[] = [];
    const finished = await finishRun(SCAN_RUN, scan("1", unreadable), {
      id: "a",
      store: () => Promise.resolve(history),
      drift: true,
      send: (run) => {
        sent.push(run.id);
        return Promise.resolve([]);
      },
    });
    expect([history.runs.length, sent, finished.sendable, finished.exit]).toEqual([0, [], false, 3]);
  });

  it("says nothing found is not clean (exit 1), and keeps and sends nothing", async () => {
    const history = new MemoryHistory();
    const empty = { ...scan("1"), pairs: [] };
    const finished = await finishRun(SCAN_RUN, empty, {
      id: "a",
      store: () => Promise.resolve(history),
      drift: false,
    });
    expect([finished.recorded.nothingFound, history.runs.length, finished.exit]).toEqual([
      "no pair found",
      0,
      1,
    ]);
    const allowed = await finishRun(SCAN_RUN, empty, { id: "b", allowEmpty: true, drift: false });
    expect(allowed.exit).toBe(0);
  });

  it("sends nothing when the run could not be kept, and could not finish (exit 3) whatever the drift", async () => {
    const history = new MemoryHistory();
    history.failing = true;
    const shown: boolean[] = [];
    const finished = await finishRun(SCAN_RUN, scan("1", drift), {
      id: "a",
      store: () => Promise.resolve(history),
      drift: true,
      show: (r) => shown.push(r.stored !== undefined),
      send: () => Promise.reject(new Error("must not send")),
    });
    expect([finished.storeError?.message, shown, finished.exit]).toEqual(["the disk is full", [false], 3]);
  });

  it("exits 1 on drift, 0 when clean, 3 when a channel failed", async () => {
    const ok: Delivery = { channel: "email (outbox)", ok: true, detail: "written" };
    const bad: Delivery = { channel: "webhook (slack)", ok: false, detail: "refused" };
    const run = (d: Delivery, drifting: boolean) =>
      finishRun(SCAN_RUN, scan("1", ...(drifting ? [drift] : [])), {
        id: "a",
        drift: drifting,
        send: () => Promise.resolve([d]),
      });
    expect((await run(ok, true)).exit).toBe(1);
    expect((await run(ok, false)).exit).toBe(0);
    expect((await run(bad, true)).exit).toBe(3);
  });

  it("refuses to send a stored run that could not read everything, saying what was unread", async () => {
    const history = new MemoryHistory();
    const b = SCAN_RUN.record("b", scan("2", unreadable, unreadable), new Date());
    await history.save(b);
    await expect(sendStored(SCAN_RUN, history, b, () => Promise.resolve([]))).rejects.toThrow(
      /^scan b could not read everything \(2 reads failed: listener\.unreadable\); it is stored, and nothing was sent$/,
    );
  });
});
