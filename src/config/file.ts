/**
 * Which drctl.yaml a run reads, and the configuration when there is none: without the YAML parser,
 * which a run without a config file never loads.
 */
import { existsSync } from "node:fs";
import { configSchema, type DrctlConfig } from "./schema.js";

export const DEFAULT_CONFIG_FILE = "drctl.yaml";

/** A loaded drctl.yaml, and how to say where one of its keys is (for errors found after loading). */
export interface LoadedConfig {
  config: DrctlConfig;
  file: string | undefined;
  /** "profile in drctl.yaml:4:10" for a top-level key of the file (or "profile in drctl.yaml"). */
  where(key: string): string;
}

/** The file to read: the one named, else ./drctl.yaml when present, else none. */
export const configFileOf = (path: string | undefined): string | undefined =>
  path ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);

/** The configuration of a run without a config file: every default. */
export function defaultConfig(): LoadedConfig {
  return { config: configSchema.parse({}), file: undefined, where: (key) => key };
}
