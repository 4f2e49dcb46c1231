import { getEventListeners } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { pause, waitFor } from "./step.js";

describe("waits", () => {
  it("leave no abort listener behind on their signal, however often they poll", async () => {
    const signal = new AbortController().signal;
    let polls = 0;
    // Thirty polls on one signal: each pause used to leave a listener (MaxListenersExceededWarning at 11).
    await waitFor(() => Promise.resolve(++polls >= 30 ? polls : undefined), signal, 1);
    expect(polls).toBe(30);
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  it("end at once when their signal aborts", async () => {
    const stop = new AbortController();
    const waiting = pause(60_000, stop.signal);
    stop.abort(new Error("interrupted"));
    await expect(waiting).rejects.toThrow("interrupted");
    expect(getEventListeners(stop.signal, "abort")).toHaveLength(0);
  });
});

describe("a long wait", () => {
  it("says what it waits for, for how long so far and its timeout, at most every 30 s", async () => {
    const { stillWaiting } = await import("./step.js");
    const w = { signal: new AbortController().signal, say: () => {}, what: "x", startedAt: 0 };
    expect(stillWaiting({ ...w, timeoutSeconds: 600 }, 90_000)).toBe(
      "still waiting for x: 90 s so far, timeout 10 min",
    );
    expect(stillWaiting({ ...w, what: () => "y (1 of 2 healthy now)" }, 125_000)).toBe(
      "still waiting for y (1 of 2 healthy now): 2 min so far",
    );
  });

  it("is silent for its first 30 s, then speaks once per 30 s", async () => {
    vi.useFakeTimers();
    try {
      const said: string[] = [];
      let polls = 0;
      const done = waitFor(
        () => Promise.resolve(++polls > 40 ? polls : undefined),
        { signal: new AbortController().signal, say: (l) => said.push(l), what: "z", startedAt: Date.now() },
        2000,
      );
      await vi.advanceTimersByTimeAsync(29_000);
      expect(said).toEqual([]);
      await vi.advanceTimersByTimeAsync(60_000);
      await done;
      expect(said).toEqual(["still waiting for z: 30 s so far", "still waiting for z: 60 s so far"]);
    } finally {
      vi.useRealTimers();
    }
  });
});
