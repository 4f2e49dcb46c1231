import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { BucketPair } from "./rules.js";

const b = (name: string, versioning = "Enabled", replicatesDeleteMarkers: boolean | null = true) => ({
  name,
  versioning,
  replicatesDeleteMarkers,
});

export const cases: RuleCases<BucketPair> = {
  "s3.versioning": {
    pass: [b("media"), b("media-usw2", "Enabled", null)],
    fail: [b("media"), b("media-usw2", "Suspended", null)],
    paths: ["standby.versioning"],
  },
  "s3.delete-marker-replication": {
    pass: [b("media"), b("media-usw2", "Enabled", null)],
    fail: [b("media", "Enabled", false), b("media-usw2", "Enabled", null)],
    paths: ["replication.deleteMarkerReplication"],
  },
};
