import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { assertRegion } from "../aws/regions.js";
import { InputError } from "../errors.js";

/** Where runs are kept, once its text has been checked. */
export type StoreLocation =
  { kind: "sqlite"; file: string } | { kind: "dynamodb"; table: string; region: string; text: string };

const DYNAMODB = "dynamodb://";
const EXPECTED = "expected dynamodb://TABLE?region=REGION or a file path";
/** A URL scheme (`s3:`, `dynamo:`), but not a Windows drive letter (`C:\`). */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const TABLE = /^[A-Za-z0-9_.-]{3,255}$/;

/**
 * The one parser of store locations (history and runbook journal, flag, drctl.yaml and the
 * cloud's settings alike): `dynamodb://TABLE?region=REGION`, or a path of a SQLite file. Any other
 * scheme (`dynamo://x`, `s3://...`) is an error naming both accepted forms and `where` the value
 * came from, never a file of that name. A leading `~/` is the home folder.
 */
export function parseStoreLocation(value: string, where: string): StoreLocation {
  const text = value.trim();
  const bad = (why: string) =>
    new InputError(`store location ${JSON.stringify(value)} (from ${where}): ${EXPECTED}; ${why}`);
  if (text === "") throw bad("it is empty");
  if (text.toLowerCase().startsWith(DYNAMODB)) {
    const rest = text.slice(DYNAMODB.length);
    const q = rest.indexOf("?");
    // Table names are case-sensitive: never through URL parsing, which lowercases host names.
    const table = (q === -1 ? rest : rest.slice(0, q)).replace(/^\/+|\/+$/g, "");
    const params = new URLSearchParams(q === -1 ? "" : rest.slice(q + 1));
    if (!TABLE.test(table))
      throw bad(
        table === ""
          ? "the table name is missing"
          : `"${table}" is not a DynamoDB table name (3-255 letters, digits, _ . -)`,
      );
    const region = params.get("region");
    if (!region) throw bad("the region is missing (?region=us-east-1)");
    const unknown = [...params.keys()].filter((k) => k !== "region");
    if (unknown.length > 0) throw bad(`unknown parameter ${unknown.map((k) => `"${k}"`).join(", ")}`);
    assertRegion(region, `the store location of ${where}`);
    return { kind: "dynamodb", table, region, text: `${DYNAMODB}${table}?region=${region}` };
  }
  const scheme = SCHEME.exec(text);
  if (scheme && !/^[A-Za-z]:[\\/]/.test(text))
    throw bad(
      `found the scheme "${scheme[1] ?? ""}:"${/^dynamo/i.test(scheme[1] ?? "") ? " (did you mean dynamodb://?)" : ""}`,
    );
  const file = expandHome(text);
  return { kind: "sqlite", file: isAbsolute(file) ? file : resolve(file) };
}

/** A path from a setting, with a leading `~/` as the home folder (no shell has expanded it). */
export function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? join(homedir(), path.slice(1)) : path;
}
