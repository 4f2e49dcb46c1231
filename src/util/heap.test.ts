import { afterEach, describe, expect, it, vi } from "vitest";

const setFlagsFromString = vi.fn();
vi.mock("node:v8", () => ({ setFlagsFromString }));

describe("keepHeapCompact", () => {
  const execArgv = process.execArgv;
  afterEach(() => {
    process.execArgv = execArgv;
    setFlagsFromString.mockReset();
    vi.resetModules();
  });

  it("bounds the heap's growth past its live data, once per process", async () => {
    process.execArgv = [];
    const { keepHeapCompact, HEAP_GROWING_PERCENT } = await import("./heap.js");
    keepHeapCompact();
    keepHeapCompact();
    expect(setFlagsFromString.mock.calls).toEqual([[`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]]);
  });

  it("leaves a growth given on node's command line alone", async () => {
    process.execArgv = ["--heap-growing-percent=20"];
    const { keepHeapCompact } = await import("./heap.js");
    keepHeapCompact();
    expect(setFlagsFromString).not.toHaveBeenCalled();
  });
});
