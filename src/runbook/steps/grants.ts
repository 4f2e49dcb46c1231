/**
 * Helpers for the grants step kinds declare: the cloud deployment gives each mutating action on
 * the resources the bundled runbooks name. A name that is still a reference when the deployment
 * is made (an earlier step's output) is not known: the grant is on any resource of that type.
 */
export function nameOrAny(value: unknown): string {
  return typeof value === "string" && value !== "" && !value.includes("${") ? value : "*";
}

/** A value the deployment knows (a literal, or config resolved), or undefined. */
export function known(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" && !value.includes("${") ? value : undefined;
}
