import { createHash } from "node:crypto";
import type { ChangeSignal } from "../core/changes.js";

/** One key per change, whichever store keeps it and however often it is recorded. */
export function changeKey(c: ChangeSignal): string {
  const what = [c.source, c.region, c.account ?? "", c.what, c.at, ...[...c.resources].sort()].join("\n");
  return `${c.at}#${createHash("sha256").update(what).digest("hex").slice(0, 16)}`;
}
