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
  const p = { tags: { lifecycle: "x" }, olderThanDays: 7, keep: 2, includeShared: false };

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
    const inUse = new Map([["a", ["launch template web version 3 (default)"]]]);
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

  it("keeps an image shared with anyone else, saying with whom, unless includeShared: true", () => {
    const images = [image("a", 40), image("b", 30), image("c", 2), image("d", 1)];
    const shared = new Map([
      ["a", "account 111122223333, organization arn:aws:organizations::123456789012:organization/o-abc"],
    ]);
    const judged = judge(p, images, new Map(), NOW, shared);
    expect(judged.find((c) => c.imageId === "a")?.kept).toBe(
      "shared with account 111122223333, organization arn:aws:organizations::123456789012:organization/o-abc",
    );
    expect(judged.filter((c) => c.kept === undefined).map((c) => c.imageId)).toEqual(["b"]);
    const all = judge({ ...p, includeShared: true }, images, new Map(), NOW, shared);
    expect(all.filter((c) => c.kept === undefined).map((c) => c.imageId)).toEqual(["b", "a"]);
    expect(all.find((c) => c.imageId === "a")?.shared).toBe(shared.get("a"));
  });

  it("says every reason an image stays, and at most three of its uses with how many more", () => {
    const inUse = new Map([
      ["d", ["instance i-1 (running)"]],
      [
        "a",
        [
          "instance i-1 (running)",
          "instance i-2 (stopped)",
          "EC2 Fleet fleet-1 (launch template web version 3)",
          "launch configuration lc",
        ],
      ],
    ]);
    const judged = judge(p, [image("a", 40), image("c", 2), image("d", 1)], inUse, NOW);
    expect(judged.map((c) => [c.imageId, c.kept])).toEqual([
      ["d", "one of the newest 2; in use by instance i-1 (running)"],
      ["c", "one of the newest 2"],
      [
        "a",
        "in use by instance i-1 (running), instance i-2 (stopped), EC2 Fleet fleet-1 (launch template web version 3) and 1 more",
      ],
    ]);
  });
});
