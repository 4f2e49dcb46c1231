import { readFileSync } from "node:fs";

/** The version in package.json: two levels up from src/cli when run with tsx, three from dist/src/cli. */
export function packageVersion(): string {
  for (const up of ["../../package.json", "../../../package.json"]) {
    try {
      return (JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { version: string }).version;
    } catch {
      // not at this level
    }
  }
  return "0.0.0";
}
