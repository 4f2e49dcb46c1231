import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { StandbyLaunchImages } from "./rules.js";

const region = (exists: boolean): StandbyLaunchImages => ({
  region: "us-west-2",
  templates: [{ template: "web", imageId: "ami-0abc", from: "resolve:ssm:/app/latest-ami-id", exists }],
});

export const cases: RuleCases<StandbyLaunchImages | null> = {
  "images.launch-template-image": {
    pass: [null, region(true)],
    fail: [null, region(false)],
    paths: ["launchTemplates[web].imageId"],
  },
};
