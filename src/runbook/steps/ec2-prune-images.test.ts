import { describe, expect, it } from "vitest";
import type { FoundImage } from "./ec2-images.js";
import { judge } from "./ec2-prune-images.js";

const NOW = Date.parse("2026-12-01T00:00:00Z");
const image = (id: string, daysOld: number, state = "available"): FoundImage => ({
  imageId: id,
  name: id,
  state,
  created: new Date(NOW - daysOld * 86_400_000).toISOString(),
  snapshotIds: [`snap-${id}`],
  tags: {},
});
const goes = (...args: Parameters<typeof judge>) =>
  judge(...args)
    .filter((c) => c.kept === undefined)
    .map((c) => c.imageId);

describe("which images a prune removes", () => {
  const p = { tags: { lifecycle: "x" }, olderThanDays: 7, keep: 2 };

  it("keeps the newest K available images whatever their age, and every image younger than N days", () => {
    expect(goes(p, [image("a", 30), image("b", 20), image("c", 10), image("d", 9)], new Map(), NOW)).toEqual([
      "b",
      "a",
    ]);
    expect(goes(p, [image("a", 6.9), image("b", 5), image("c", 1)], new Map(), NOW)).toEqual([]);
  });

  it("counts only available images among the newest: a pending or failed one never shields an old one", () => {
    const images = [
      image("old", 20),
      image("older", 21),
      image("new", 0, "pending"),
      image("bad", 8, "failed"),
    ];
    const judged = judge(p, images, new Map(), NOW);
    expect(judged.find((c) => c.imageId === "new")?.kept).toBe("still being made");
    expect(judged.filter((c) => c.kept === undefined).map((c) => c.imageId)).toEqual(["bad"]);
    expect(judged.find((c) => c.imageId === "old")?.kept).toBe("one of the newest 2");
  });

  it("never removes an image in use, whatever its age", () => {
    const inUse = new Map([["a", "launch template web version 3 (default)"]]);
    const judged = judge(p, [image("a", 40), image("b", 30), image("c", 2), image("d", 1)], inUse, NOW);
    expect(judged.map((c) => [c.imageId, c.kept])).toEqual([
      ["d", "one of the newest 2"],
      ["c", "one of the newest 2"],
      ["b", undefined],
      ["a", "in use by launch template web version 3 (default)"],
    ]);
  });

  it("keeps an image whose creation date cannot be read", () => {
    expect(
      goes(p, [{ ...image("a", 30), created: "" }, image("b", 2), image("c", 1)], new Map(), NOW),
    ).toEqual([]);
  });
});
