/** Escapes text for HTML element content and quoted attribute values. Every AWS-sourced value goes through it. */
export function escapeHtml(value: unknown): string {
  const text =
    typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value);
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}
