import { existsSync } from "node:fs";
import { AwsClients } from "../aws/client-factory.js";
import { assertCredentials, baseCredentials } from "../aws/credentials.js";
import { parseEndpointUrl } from "../aws/endpoint.js";
import { defaultStoreLocation, openStore } from "../history/open.js";
import { parseStoreLocation, type StoreLocation } from "../config/store-location.js";
import type { Journal } from "../runbook/journal.js";
import { openJournal } from "../runbook/open-journal.js";
import type { HistoryStore } from "../history/types.js";
import { assertRegion } from "../aws/regions.js";
import { configFileOf, defaultConfig, type LoadedConfig } from "../config/file.js";
import { primaryRegions, type DrctlConfig } from "../config/schema.js";
import { InputError } from "../errors.js";
import { jsonText, type Io } from "./io.js";
import { prepareFile } from "./paths.js";

/** The global options every command accepts. */
export interface GlobalOptions {
  region: string[];
  profile?: string;
  endpointUrl?: string;
  config?: string;
  store?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/** A setting's value and where it came from (a flag, an environment variable, drctl.yaml), for messages. */
export interface Sourced<T> {
  value: T;
  where: string;
}

/** The first of `candidates` that has a value. */
function first<T>(...candidates: [T | undefined, string][]): Sourced<T> | undefined {
  for (const [value, where] of candidates) if (value !== undefined && value !== "") return { value, where };
  return undefined;
}

/**
 * drctl.yaml, its suppressions checked against the catalogue's rule ids. The catalogue imports
 * every type, step and store (and their AWS SDK clients), so it is loaded only for a config that
 * has suppressions to check: then the config is read again with them, for the same messages.
 */
async function loadConfigKnowingRules(file: string | undefined): Promise<LoadedConfig> {
  // Without a file, the defaults, and the YAML parser is not loaded.
  if (configFileOf(file) === undefined) return defaultConfig();
  const { loadConfig } = await import("../config/load.js");
  const loaded = loadConfig(file, {});
  if (loaded.config.suppressions.length === 0) return loaded;
  const { ruleIds } = await import("../catalog.js");
  return loadConfig(file, { ruleIds: ruleIds() });
}

/** What a command works with: validated config and options, clients, and output helpers. */
export class CommandContext {
  private clients: AwsClients | undefined;
  private history: HistoryStore | undefined;
  private runJournal: Journal | undefined;
  private constructor(
    readonly options: GlobalOptions,
    readonly config: DrctlConfig,
    readonly configFile: string | undefined,
    readonly io: Io,
    /** The AWS profile, if one is named: --profile, then drctl.yaml, then AWS_PROFILE. */
    readonly profile: Sourced<string> | undefined,
    /** The endpoint override: --endpoint-url, then drctl.yaml (AWS_ENDPOINT_URL is read by the client factory). */
    readonly endpoint: Sourced<string> | undefined,
    /** Where the history is kept: --store, then drctl.yaml, then the default under DRCTL_HOME or ~/.drctl. */
    /** Where the history is; `named`: by --store or drctl.yaml, not the default. */
    readonly storeAt: Sourced<StoreLocation> & { named: boolean },
  ) {}

  /** Validates every global option and the config before any work: bad input fails here, exit 2. */
  static async create(options: GlobalOptions, io: Io): Promise<CommandContext> {
    const loaded = await loadConfigKnowingRules(options.config);
    const { config } = loaded;
    for (const r of options.region) assertRegion(r, "--region");
    const profile = first(
      [options.profile, "--profile"],
      [config.profile, loaded.where("profile")],
      [process.env.AWS_PROFILE, "the AWS_PROFILE environment variable"],
    );
    const endpointRaw = first(
      [options.endpointUrl, "--endpoint-url"],
      [config.endpointUrl, loaded.where("endpointUrl")],
    );
    const endpoint = endpointRaw && {
      value: parseEndpointUrl(endpointRaw.value, endpointRaw.where),
      where: endpointRaw.where,
    };
    const named = first([options.store, "--store"], [config.store, loaded.where("store")]);
    const storeRaw = named ?? {
      value: defaultStoreLocation(),
      where: process.env.DRCTL_HOME ? "the DRCTL_HOME environment variable" : "the default store",
    };
    const store = {
      value: parseStoreLocation(storeRaw.value, storeRaw.where),
      where: storeRaw.where,
      named: named !== undefined,
    };
    return new CommandContext(options, config, loaded.file, io, profile, endpoint, store);
  }

  /** --region if given, else the primary region(s) and the standby region of the config, if it names one. */
  get regions(): string[] {
    if (this.options.region.length > 0) return [...new Set(this.options.region)];
    const standby = this.config.regions.standby;
    return [...new Set([...primaryRegions(this.config), ...(standby ? [standby] : [])])];
  }

  /**
   * The AWS clients. The credentials are resolved first, once: with none to be found the command
   * stops here with one line (exit 3) instead of failing every call.
   */
  async aws(): Promise<AwsClients> {
    if (this.clients) return this.clients;
    const credentials = await baseCredentials(this.profile?.value, this.profile?.where);
    await assertCredentials(
      credentials,
      this.profile && { name: this.profile.value, where: this.profile.where },
    );
    this.clients = await AwsClients.create({
      credentials,
      ...(this.endpoint ? { endpointUrl: this.endpoint.value } : {}),
      accounts: this.config.accounts,
      ...(this.config.rateLimits ? { rateLimits: this.config.rateLimits } : {}),
      maxAttempts: this.config.retry.maxAttempts,
      homeRegion: primaryRegions(this.config)[0] ?? "us-east-1",
      ...(this.options.verbose
        ? {
            onCall: (c) =>
              this.io.err(
                `aws: ${c.service}.${c.operation} ${c.region}${c.attempt > 1 ? ` (attempt ${c.attempt})` : ""}`,
              ),
          }
        : {}),
    });
    return this.clients;
  }

  /**
   * Checks, before any work, that the history can be written where it is to be kept: a SQLite
   * file whose folder cannot be created is bad input now, not a failure after a long scan.
   */
  checkStore(): void {
    const s = this.storeAt.value;
    if (s.kind === "sqlite") prepareFile(s.file, `the history file (from ${this.storeAt.where})`);
  }

  /**
   * The history store (opened on first use). Commands that only read it pass `read`: a SQLite
   * file named by --store or drctl.yaml that does not exist is then a wrong path, said so, never
   * an empty history created there (the default one is simply empty before the first run).
   */
  async store(use: "write" | "read" = "write"): Promise<HistoryStore> {
    const s = this.storeAt.value;
    const missing = use === "read" && this.storeAt.named && s.kind === "sqlite" && !existsSync(s.file);
    if (!this.history && missing)
      throw new InputError(
        `there is no history at ${s.file} (from ${this.storeAt.where}): nothing was stored there; check the path, or run drctl scan first`,
      );
    if (!this.history) {
      this.checkStore();
      this.history = await openStore(this.storeAt.value, () => this.aws());
    }
    return this.history;
  }

  /** The runbook journal: beside the history (the same DynamoDB table, or ~/.drctl/journal.sqlite). */
  async journal(): Promise<Journal> {
    this.runJournal ??= await openJournal(this.storeAt.value, () => this.aws());
    return this.runJournal;
  }

  /** Progress for people: stderr, silenced by --quiet. */
  progress(line: string): void {
    if (!this.options.quiet) this.io.err(line);
  }

  /** More detail, under --verbose. */
  detail(line: string): void {
    if (this.options.verbose) this.io.err(line);
  }

  /** The results: JSON with --json, text otherwise. */
  result(text: () => string, json: () => unknown): void {
    this.io.out(this.options.json ? jsonText(json()) : text());
  }

  /** The AWS call summary a command prints at its end. */
  callSummary(): string {
    const counter = this.clients?.counter;
    if (!counter || counter.total === 0) return "AWS calls: 0";
    const ops = Object.entries(counter.byOperation).map(([op, n]) => `${op} ${n}`);
    const retries = counter.totalRetries > 0 ? `, ${counter.totalRetries} retries` : "";
    return `AWS calls: ${counter.total}${retries} (${ops.join(", ")})`;
  }

  close(): void {
    this.history?.close();
    this.runJournal?.close();
    this.clients?.destroy();
  }
}
