import { InputError } from "../errors.js";
import { URL_WITHOUT_CREDENTIALS, urlHasCredentials } from "../util/url.js";

/** Validates an endpoint override such as http://127.0.0.1:5000; returns it without a trailing slash. */
export function parseEndpointUrl(value: string, where: string): string {
  // Said without the URL, first: the messages below print it, password and all.
  if (urlHasCredentials(value)) throw new InputError(`endpoint URL in ${where}: ${URL_WITHOUT_CREDENTIALS}`);
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
