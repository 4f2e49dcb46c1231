import { commandPermissions } from "../src/permissions.js";

/** The read-only actions of the scan (resource "*"): everything it declares but storage and email. */
export function readActions(): string[] {
  return (commandPermissions().scan ?? []).filter((a) => !a.startsWith("dynamodb:") && !a.startsWith("ses:"));
}
