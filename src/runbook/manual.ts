/** Helpers for the step kinds' manual(): AWS CLI command lines from display parameters. */

/** A parameter as text: strings as they are, other values as JSON. */
export function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Quotes a value for a POSIX shell when it needs it. */
export function sh(value: unknown): string {
  const t = text(value);
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(t) ? t : `'${t.replace(/'/g, `'\\''`)}'`;
}

/** `aws SERVICE COMMAND --region R --flag value ...`, leaving out flags without a value. */
export function aws(
  service: string,
  command: string,
  region: string,
  flags: Record<string, unknown> = {},
): string {
  const parts = [`aws ${service} ${command} --region ${sh(region)}`];
  for (const [flag, value] of Object.entries(flags)) {
    if (value === undefined || value === null || value === false) continue;
    parts.push(value === true ? `--${flag}` : `--${flag} ${sh(value)}`);
  }
  return parts.join(" ");
}
