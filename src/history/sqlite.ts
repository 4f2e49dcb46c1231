import Database from "better-sqlite3";
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { DrctlError } from "../errors.js";
import { changeKey } from "./changes.js";
import type { ChangeSignal } from "../core/changes.js";
import { findingsOf, type HistoryStore, type RunHeader, type RunKind, type StoredRun } from "./types.js";

/** Schema migrations, applied in order; PRAGMA user_version records how many have run. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     started_at TEXT NOT NULL,
     finished_at TEXT NOT NULL,
     pairs INTEGER NOT NULL,
     counts TEXT NOT NULL,
     result BLOB NOT NULL
   );
   CREATE INDEX runs_by_kind_time ON runs (kind, started_at);
   CREATE TABLE findings (
     run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     pair TEXT NOT NULL,
     primary_arn TEXT NOT NULL,
     rule_id TEXT NOT NULL,
     severity TEXT NOT NULL,
     status TEXT NOT NULL,
     path TEXT NOT NULL,
     suppressed INTEGER NOT NULL
   );
   CREATE INDEX findings_by_run ON findings (run_id);
   CREATE INDEX findings_by_rule ON findings (rule_id, severity);`,
  // Changes AWS reported between runs, for incremental scans; the key makes a repeat a no-op.
  `CREATE TABLE changes (
     at TEXT NOT NULL,
     recorded_at TEXT NOT NULL,
     key TEXT NOT NULL PRIMARY KEY,
     body TEXT NOT NULL
   );
   CREATE INDEX changes_by_recording ON changes (recorded_at);`,
];

/** Changes older than this are dropped when new ones are recorded: the sweep (scan.fullEvery is at most 30 days) has re-read them by then. */
const CHANGE_RETENTION_DAYS = 31;

export class HistoryFileError extends DrctlError {}

interface RunRow {
  id: string;
  kind: RunKind;
  started_at: string;
  finished_at: string;
  pairs: number;
  counts: string;
}

/** What a person should read when SQLite refuses the file; nothing stored is touched. */
function explain(file: string, err: unknown): HistoryFileError {
  const code = (err as { code?: string }).code ?? "";
  const message = err instanceof Error ? err.message : String(err);
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
    return new HistoryFileError(
      `the history file ${file} is locked by another process (${code}); nothing was written, try again when it is done`,
      { cause: err },
    );
  }
  if (code.startsWith("SQLITE_CONSTRAINT")) {
    return new HistoryFileError(
      `the history file ${file} already holds this run (${message}); nothing was written`,
      { cause: err },
    );
  }
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
    return new HistoryFileError(
      `the history file ${file} is not a readable drctl history database (${code}: ${message}); it was left untouched. Move it aside or pass --store with another path`,
      { cause: err },
    );
  }
  return new HistoryFileError(`the history file ${file} could not be used: ${message}`, { cause: err });
}

/** The embedded history: one SQLite file, one transaction per run. */
export class SqliteHistory implements HistoryStore {
  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {}

  get description(): string {
    return `SQLite file ${this.file}`;
  }

  static open(file: string): SqliteHistory {
    try {
      if (!existsSync(dirname(file))) mkdirSync(dirname(file), { recursive: true });
      const db = new Database(file, { timeout: 5000 });
      db.pragma("journal_mode = WAL");
      db.pragma("foreign_keys = ON");
      const history = new SqliteHistory(db, file);
      history.migrate();
      return history;
    } catch (err) {
      if (err instanceof HistoryFileError) throw err;
      throw explain(file, err);
    }
  }

  /** Current schema version (the number of migrations applied). */
  get schemaVersion(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  private migrate(): void {
    const current = this.schemaVersion;
    if (current > MIGRATIONS.length) {
      throw new HistoryFileError(
        `the history file ${this.file} has schema version ${current}, newer than this drctl knows (${MIGRATIONS.length}); upgrade drctl`,
      );
    }
    const apply = this.db.transaction(() => {
      for (let v = current; v < MIGRATIONS.length; v++) {
        this.db.exec(MIGRATIONS[v] ?? "");
        this.db.pragma(`user_version = ${v + 1}`);
      }
    });
    apply.immediate();
  }

  /** Runs synchronous SQLite work as the async interface expects: a throw becomes a rejection. */
  private run<T>(work: () => T): Promise<T> {
    return new Promise((resolve) => {
      try {
        resolve(work());
      } catch (err) {
        throw explain(this.file, err);
      }
    });
  }

  save(run: StoredRun): Promise<void> {
    const insertRun = this.db.prepare(
      "INSERT INTO runs (id, kind, started_at, finished_at, pairs, counts, result) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    const insertFinding = this.db.prepare(
      "INSERT INTO findings (run_id, pair, primary_arn, rule_id, severity, status, path, suppressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const write = this.db.transaction((r: StoredRun) => {
      insertRun.run(
        r.id,
        r.kind,
        r.startedAt,
        r.finishedAt,
        r.pairs,
        JSON.stringify(r.counts),
        gzipSync(JSON.stringify(r.result)),
      );
      {
        for (const f of findingsOf(r))
          insertFinding.run(
            r.id,
            f.pair,
            f.primaryArn,
            f.ruleId,
            f.severity,
            f.status,
            f.path,
            f.suppressed ? 1 : 0,
          );
      }
    });
    return this.run(() => write.immediate(run));
  }

  list(options: { kind?: RunKind; limit?: number } = {}): Promise<RunHeader[]> {
    return this.run(() =>
      (
        this.db
          .prepare(
            `SELECT id, kind, started_at, finished_at, pairs, counts FROM runs ${options.kind ? "WHERE kind = ?" : ""} ORDER BY started_at DESC, id DESC LIMIT ?`,
          )
          .all(...(options.kind ? [options.kind] : []), options.limit ?? 50) as RunRow[]
      ).map(toHeader),
    );
  }

  get(id: string): Promise<StoredRun | undefined> {
    return this.run(() => {
      const row = this.db
        .prepare("SELECT id, kind, started_at, finished_at, pairs, counts, result FROM runs WHERE id = ?")
        .get(id) as (RunRow & { result: Buffer }) | undefined;
      return row
        ? ({
            ...toHeader(row),
            result: JSON.parse(gunzipSync(row.result).toString("utf8")) as unknown,
          } as StoredRun)
        : undefined;
    });
  }

  recordChanges(changes: readonly ChangeSignal[]): Promise<void> {
    const insert = this.db.prepare(
      "INSERT OR IGNORE INTO changes (at, recorded_at, key, body) VALUES (?, ?, ?, ?)",
    );
    const prune = this.db.prepare("DELETE FROM changes WHERE recorded_at < ?");
    const recordedAt = new Date().toISOString();
    const write = this.db.transaction((all: readonly ChangeSignal[]) => {
      for (const c of all) insert.run(c.at, recordedAt, changeKey(c), JSON.stringify({ ...c, recordedAt }));
      prune.run(new Date(Date.now() - CHANGE_RETENTION_DAYS * 86_400_000).toISOString());
    });
    return this.run(() => write.immediate(changes));
  }

  changesSince(since: string, limit = 100_000): Promise<ChangeSignal[]> {
    return this.run(() =>
      (
        this.db
          .prepare("SELECT body FROM changes WHERE recorded_at >= ? ORDER BY recorded_at, key LIMIT ?")
          .all(since, limit) as { body: string }[]
      ).map((r) => JSON.parse(r.body) as ChangeSignal),
    );
  }

  close(): void {
    this.db.close();
  }
}

function toHeader(row: RunRow): RunHeader {
  return {
    id: row.id,
    kind: row.kind,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    pairs: row.pairs,
    counts: JSON.parse(row.counts) as RunHeader["counts"],
  };
}
