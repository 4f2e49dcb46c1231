import { describe, expect, it } from "vitest";
import { runRuleCases, SETTINGS } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { imageRules } from "./rules.js";
import { imageFamily } from "./index.js";

runRuleCases(imageRules, cases);

describe("images", () => {
  it("names the parameter a template reads its image from", () => {
    const c = cases["images.launch-template-image"];
    if (!c || !imageRules[0]) throw new Error("no case");
    expect(imageRules[0].check(c.fail[0], c.fail[1], SETTINGS)[0]?.message).toBe(
      "launch template web in us-west-2 launches ami-0abc (from resolve:ssm:/app/latest-ami-id), which does not exist in us-west-2",
    );
  });

  it("groups images into families by their app tag, else their name without its date", () => {
    expect(imageFamily({ Name: "web-20261201-0200" })).toBe("web");
    expect(imageFamily({ Name: "web_2026-12-01" })).toBe("web");
    expect(imageFamily({ Name: "app-daily" })).toBe("app-daily");
    expect(imageFamily({ Name: "x-20261201", Tags: [{ Key: "app", Value: "shop" }] })).toBe("shop");
  });
});
