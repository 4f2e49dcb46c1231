import { InputError } from "../errors.js";

/** Validates an endpoint override such as http://127.0.0.1:5000; returns it without a trailing slash. */
export function parseEndpointUrl(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InputError(
      `malformed endpoint URL ${JSON.stringify(value)} in ${where}: expected http(s)://host[:port]`,
    );
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
    throw new InputError(
      `malformed endpoint URL ${JSON.stringify(value)} in ${where}: expected http(s)://host[:port], found scheme "${url.protocol}"`,
    );
  }
  return url.toString().replace(/\/$/, "");
}
