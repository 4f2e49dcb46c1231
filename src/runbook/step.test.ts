import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
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
