import { AwsClients } from "../aws/client-factory.js";
import { defaultStoreLocation, openStore } from "../store/open.js";
import type { Journal } from "../runbook/journal.js";
import { openJournal } from "../runbook/open-journal.js";
import type { HistoryStore } from "../store/types.js";
import { assertRegion } from "../aws/regions.js";
import { loadConfig } from "../config/load.js";
import { primaryRegions, type DrctlConfig } from "../config/schema.js";
import type { Io } from "./io.js";

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
  ) {}

  static create(options: GlobalOptions, io: Io): CommandContext {
    const { config, file } = loadConfig(options.config);
    for (const r of options.region) assertRegion(r, "--region");
    return new CommandContext(options, config, file, io);
  }

  /** --region if given, else the primary region(s) and the standby region of the config. */
  get regions(): string[] {
    if (this.options.region.length > 0) return [...new Set(this.options.region)];
    return [...new Set([...primaryRegions(this.config), this.config.regions.standby])];
  }

  async aws(): Promise<AwsClients> {
    this.clients ??= await AwsClients.create({
      ...((this.options.profile ?? this.config.profile)
        ? { profile: this.options.profile ?? this.config.profile }
        : {}),
      ...((this.options.endpointUrl ?? this.config.endpointUrl)
        ? { endpointUrl: this.options.endpointUrl ?? this.config.endpointUrl }
        : {}),
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

  /** --store, else `store` in drctl.yaml, else ~/.drctl/history.sqlite. */
  get storeLocation(): string {
    return this.options.store ?? this.config.store ?? defaultStoreLocation();
  }

  async store(): Promise<HistoryStore> {
    this.history ??= await openStore(this.storeLocation, () => this.aws());
    return this.history;
  }

  /** The runbook journal: beside the history (the same DynamoDB table, or ~/.drctl/journal.sqlite). */
  async journal(): Promise<Journal> {
    this.runJournal ??= await openJournal(this.storeLocation, () => this.aws());
    return this.runJournal;
  }

  /** Progress for people: stderr, silenced by --quiet. */
  progress(line: string): void {
    if (!this.options.quiet) this.io.err(line);
  }

  /** The results: JSON with --json, text otherwise. */
  result(text: () => string, json: () => unknown): void {
    this.io.out(this.options.json ? JSON.stringify(json(), null, 2) : text());
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
