import Database from "better-sqlite3";
import { chmodSync, existsSync } from "node:fs";
import { dirname } from "node:path";
import { DrctlError } from "../errors.js";
import { ensurePrivateDir, PRIVATE_FILE_MODE } from "../util/files.js";
import { LeaseLostError, staleFence } from "./journal.js";
import type {
  Approval,
  Decision,
  Fence,
  Intent,
  Journal,
  LockOwner,
  LockRecord,
  NewRun,
  NewStep,
  RunEvent,
  RunRecord,
  RunStatus,
  StepChange,
  StepRecord,
  StepStatus,
} from "./journal.js";
import { JOURNAL_FORMAT } from "./journal.js";

type Row = Record<string, string | number | null>;

const parse = <T>(text: string | number | null | undefined, fallback: T): T => {
  if (typeof text !== "string" || text === "") return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

/** Columns added since the first journals: old files gain them when opened. */
const ADDED: Record<string, [string, string][]> = {
  steps: [
    ["inputs", "TEXT"],
    ["kind", "TEXT"],
    ["intent", "TEXT"],
    ["fingerprint", "TEXT"],
  ],
  runs: [
    ["format", "INTEGER"],
    ["set_values", "TEXT"],
    ["alarm_at", "TEXT"],
    ["undoes", "TEXT"],
  ],
  locks: [
    ["owner", "TEXT"],
    ["lease_until", "INTEGER"],
    ["generation", "INTEGER"],
  ],
};

/** A fenced write's condition, in its own statement: the lock is still the fence's. */
const HOLDS =
  "EXISTS (SELECT 1 FROM locks WHERE application = ? AND json_extract(owner, '$.token') = ? AND generation = ?)";
const holdsArgs = (fence: Fence | undefined) =>
  fence ? [fence.application, fence.token, fence.generation] : [];

/** The journal in a SQLite file (~/.drctl/journal.sqlite, private): runs on one machine. */
export class SqliteJournal implements Journal {
  /** A write of several statements under a fence: the lock checked and the writes made in one transaction. */
  private readonly fencedWrite: Database.Transaction<(fence: Fence, work: () => unknown) => unknown>;
  private readonly lockRow: Database.Statement<[string], Row>;
  /** Prepared statements, by their text (a run writes the same few again and again). */
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    private readonly db: Database.Database,
    readonly description: string,
  ) {
    this.lockRow = db.prepare<[string], Row>("SELECT * FROM locks WHERE application = ?");
    const holds = db.prepare(`SELECT ${HOLDS}`).pluck();
    this.fencedWrite = db.transaction((fence: Fence, work: () => unknown) => {
      if (holds.get(...holdsArgs(fence)) !== 1) this.refuseIfStale(fence, "the lock changed");
      return work();
    });
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Throws LeaseLostError if `fence` is no longer the lock (or, with `otherwise`, in any case). */
  private refuseIfStale(fence: Fence | undefined, otherwise?: string): void {
    if (!fence) return;
    const row = this.lockRow.get(fence.application);
    const stale = staleFence(row ? lockOfRow(row) : undefined, fence) ?? otherwise;
    if (stale) throw new LeaseLostError(fence.application, stale);
  }

  /**
   * `work` (synchronous SQLite), under `fence` if given: in an immediate transaction, so no other
   * process takes the lock between the check and the writes.
   */
  private write<T>(fence: Fence | undefined, work: () => T): Promise<T> {
    if (!fence) return settle(work);
    return settle(() => this.fencedWrite.immediate(fence, work) as T);
  }

  static open(file: string): SqliteJournal {
    ensurePrivateDir(dirname(file));
    const db = new Database(file, { timeout: 5000 });
    db.pragma("journal_mode = WAL");
    db.exec(`
      CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, runbook TEXT, file TEXT, application TEXT, hash TEXT,
        started_at TEXT, finished_at TEXT, status TEXT);
      CREATE TABLE IF NOT EXISTS steps (run_id TEXT, step_id TEXT, seq INTEGER, status TEXT, started_at TEXT, finished_at TEXT,
        attempts INTEGER, outputs TEXT, error TEXT, plan TEXT, PRIMARY KEY (run_id, step_id));
      CREATE TABLE IF NOT EXISTS locks (application TEXT PRIMARY KEY, run_id TEXT, holder TEXT, acquired_at TEXT);
      CREATE TABLE IF NOT EXISTS approvals (run_id TEXT, step_id TEXT, by TEXT, at TEXT, PRIMARY KEY (run_id, step_id));
      CREATE TABLE IF NOT EXISTS decisions (run_id TEXT, step_id TEXT, intent_at TEXT, decision TEXT, by TEXT, at TEXT,
        PRIMARY KEY (run_id, step_id, intent_at));
      CREATE TABLE IF NOT EXISTS events (run_id TEXT, seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT, what TEXT);`);
    for (const [table, columns] of Object.entries(ADDED)) {
      const have = new Set((db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name));
      for (const [name, type] of columns)
        if (!have.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
    }
    // The journal holds what runs did to production: only its owner reads it.
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, PRIVATE_FILE_MODE);
    return new SqliteJournal(db, `journal ${file}`);
  }

  lockOf(application: string): Promise<LockRecord | undefined> {
    return settle(() => {
      const row = this.lockRow.get(application);
      return row ? lockOfRow(row) : undefined;
    });
  }

  locks(): Promise<LockRecord[]> {
    return settle(() => (this.db.prepare("SELECT * FROM locks").all() as Row[]).map(lockOfRow));
  }

  putLock(lock: LockRecord, expected: LockRecord | undefined): Promise<boolean> {
    const put = this.db.transaction(() => {
      const row = this.lockRow.get(lock.application);
      const now = row ? lockOfRow(row) : undefined;
      if (!sameLock(now, expected)) return false;
      this.db
        .prepare(
          "INSERT OR REPLACE INTO locks (application, run_id, holder, acquired_at, owner, lease_until, generation) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .run(
          lock.application,
          lock.runId,
          lock.holder,
          lock.acquiredAt,
          lock.owner ? JSON.stringify(lock.owner) : null,
          lock.leaseUntil,
          lock.generation,
        );
      return true;
    });
    return settle(() => put.immediate());
  }

  renewLock(application: string, token: string, leaseUntil: number, generation?: number): Promise<boolean> {
    return settle(() => {
      const rows = this.db
        .prepare(
          "UPDATE locks SET lease_until = ? WHERE application = ? AND json_extract(owner, '$.token') = ? AND (? IS NULL OR generation = ?)",
        )
        .run(leaseUntil, application, token, generation ?? null, generation ?? null);
      return rows.changes === 1;
    });
  }

  unlock(application: string, runId: string, fence?: Fence): Promise<boolean> {
    return settle(() => {
      const freed = fence
        ? this.db
            .prepare(
              "DELETE FROM locks WHERE application = ? AND run_id = ? AND json_extract(owner, '$.token') = ? AND generation = ?",
            )
            .run(application, runId, fence.token, fence.generation)
        : this.db.prepare("DELETE FROM locks WHERE application = ? AND run_id = ?").run(application, runId);
      return freed.changes === 1;
    });
  }

  startRun(run: NewRun, steps: NewStep[], fence?: Fence): Promise<void> {
    return this.write(fence, () => this.insertRun(run, steps));
  }

  private insertRun(run: NewRun, steps: NewStep[]): void {
    const insert = this.db.transaction(() => {
      this.db
        .prepare(
          "INSERT INTO runs (run_id, runbook, file, application, hash, started_at, finished_at, status, format, set_values, alarm_at, undoes) VALUES (?, ?, ?, ?, ?, ?, NULL, 'running', ?, ?, ?, ?)",
        )
        .run(
          run.runId,
          run.runbook,
          run.file,
          run.application,
          run.hash,
          run.startedAt,
          run.format ?? JOURNAL_FORMAT,
          JSON.stringify(run.set),
          run.alarmAt,
          run.undoes,
        );
      const insertStep = this.db.prepare(
        "INSERT INTO steps (run_id, step_id, seq, status, attempts, outputs, kind, fingerprint) VALUES (?, ?, ?, 'pending', 0, '{}', ?, ?)",
      );
      steps.forEach((s, seq) => insertStep.run(run.runId, s.id, seq, s.kind, s.fingerprint ?? null));
    });
    // Nested in a fenced write, this is a savepoint of its transaction.
    if (this.db.inTransaction) insert();
    else insert.immediate();
  }

  run(runId: string): Promise<RunRecord | undefined> {
    return settle(() => this.readRun(runId));
  }

  runs(): Promise<RunRecord[]> {
    return settle(() => {
      const ids = this.db.prepare("SELECT run_id FROM runs ORDER BY started_at DESC").all() as {
        run_id: string;
      }[];
      return ids.map((r) => this.readRun(r.run_id)).filter((r): r is RunRecord => r !== undefined);
    });
  }

  steps(runId: string): Promise<StepRecord[]> {
    return settle(() => {
      const rows = this.db.prepare("SELECT * FROM steps WHERE run_id = ? ORDER BY seq").all(runId) as Row[];
      return rows.map((r) => ({
        stepId: String(r.step_id),
        kind: (r.kind as string | null) ?? null,
        status: r.status as StepStatus,
        startedAt: (r.started_at as string | null) ?? null,
        finishedAt: (r.finished_at as string | null) ?? null,
        attempts: Number(r.attempts),
        outputs: parse<Record<string, string>>(r.outputs, {}),
        error: (r.error as string | null) ?? null,
        plan: (r.plan as string | null) ?? null,
        inputs: parse<Record<string, unknown> | null>(r.inputs, null),
        intent: parse<Intent | null>(r.intent, null),
        ...(typeof r.fingerprint === "string" ? { fingerprint: r.fingerprint } : {}),
      }));
    });
  }

  updateStep(runId: string, stepId: string, change: StepChange, fence?: Fence): Promise<void> {
    const columns: Record<keyof StepChange, string> = {
      status: "status",
      startedAt: "started_at",
      finishedAt: "finished_at",
      attempts: "attempts",
      outputs: "outputs",
      error: "error",
      plan: "plan",
      inputs: "inputs",
      intent: "intent",
      fingerprint: "fingerprint",
    };
    const sets: string[] = [];
    const values: (string | number | null)[] = [];
    for (const [key, value] of Object.entries(change) as [keyof StepChange, unknown][]) {
      if (value === undefined) continue;
      sets.push(`${columns[key]} = ?`);
      values.push(
        value === null
          ? null
          : typeof value === "object"
            ? JSON.stringify(value)
            : (value as string | number),
      );
    }
    if (sets.length === 0) return Promise.resolve();
    // Under a fence, one statement: the update is made only where the lock is still the fence's.
    return settle(() => {
      const done = this.statement(
        `UPDATE steps SET ${sets.join(", ")} WHERE run_id = ? AND step_id = ?${fence ? ` AND ${HOLDS}` : ""}`,
      ).run(...values, runId, stepId, ...holdsArgs(fence));
      if (done.changes !== 1) {
        this.refuseIfStale(fence);
        throw new DrctlError(`run ${runId} has no step ${stepId} in the ${this.description}`);
      }
    });
  }

  updateRun(
    runId: string,
    change: { status: RunStatus; finishedAt: string | null },
    fence?: Fence,
  ): Promise<void> {
    return settle(() => {
      const done = this.statement(
        `UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?${fence ? ` AND ${HOLDS}` : ""}`,
      ).run(change.status, change.finishedAt, runId, ...holdsArgs(fence));
      if (done.changes === 0) this.refuseIfStale(fence);
    });
  }

  addEvent(runId: string, what: string, fence?: Fence): Promise<void> {
    return settle(() => {
      const at = new Date().toISOString();
      if (!fence)
        this.statement("INSERT INTO events (run_id, at, what) VALUES (?, ?, ?)").run(runId, at, what);
      else if (
        this.statement(`INSERT INTO events (run_id, at, what) SELECT ?, ?, ? WHERE ${HOLDS}`).run(
          runId,
          at,
          what,
          ...holdsArgs(fence),
        ).changes === 0
      )
        this.refuseIfStale(fence, "the lock changed during the write");
    });
  }

  events(runId: string): Promise<RunEvent[]> {
    return settle(
      () =>
        this.db.prepare("SELECT at, what FROM events WHERE run_id = ? ORDER BY seq").all(runId) as RunEvent[],
    );
  }

  approve(runId: string, stepId: string, by: string): Promise<void> {
    return settle(() => {
      this.knownStep(runId, stepId);
      this.db
        .prepare("INSERT OR IGNORE INTO approvals VALUES (?, ?, ?, ?)")
        .run(runId, stepId, by, new Date().toISOString());
    });
  }

  approval(runId: string, stepId: string): Promise<Approval | undefined> {
    return settle(
      () =>
        this.db
          .prepare("SELECT by, at FROM approvals WHERE run_id = ? AND step_id = ?")
          .get(runId, stepId) as Approval | undefined,
    );
  }

  decide(
    runId: string,
    stepId: string,
    intentAt: string,
    decision: Decision,
    by: string,
    fence?: Fence,
  ): Promise<void> {
    return this.write(fence, () => {
      this.knownStep(runId, stepId);
      this.db
        .prepare("INSERT OR IGNORE INTO decisions VALUES (?, ?, ?, ?, ?, ?)")
        .run(runId, stepId, intentAt, decision, by, new Date().toISOString());
    });
  }

  decision(
    runId: string,
    stepId: string,
    intentAt: string,
  ): Promise<(Approval & { decision: Decision }) | undefined> {
    return settle(
      () =>
        this.db
          .prepare(
            "SELECT decision, by, at FROM decisions WHERE run_id = ? AND step_id = ? AND intent_at = ?",
          )
          .get(runId, stepId, intentAt) as (Approval & { decision: Decision }) | undefined,
    );
  }

  close(): void {
    this.db.close();
  }

  private knownStep(runId: string, stepId: string): void {
    const known = this.db.prepare("SELECT 1 FROM steps WHERE run_id = ? AND step_id = ?").get(runId, stepId);
    if (!known) throw new DrctlError(`run ${runId} has no step ${stepId}`, { exitCode: 2 });
  }

  private readRun(runId: string): RunRecord | undefined {
    const r = this.db.prepare("SELECT * FROM runs WHERE run_id = ?").get(runId) as Row | undefined;
    return r
      ? {
          runId: String(r.run_id),
          runbook: String(r.runbook),
          file: String(r.file),
          application: String(r.application),
          hash: String(r.hash),
          startedAt: String(r.started_at),
          finishedAt: (r.finished_at as string | null) ?? null,
          status: r.status as RunStatus,
          format: Number(r.format ?? 1),
          set: parse<RunRecord["set"]>(r.set_values, {}),
          alarmAt: (r.alarm_at as string | null) ?? null,
          undoes: (r.undoes as string | null) ?? null,
        }
      : undefined;
  }
}

function lockOfRow(r: Row): LockRecord {
  const owner = parse<LockOwner | null>(r.owner, null);
  return {
    application: String(r.application),
    runId: String(r.run_id),
    owner: owner && typeof owner.token === "string" && typeof owner.pid === "number" ? owner : null,
    holder: String(r.holder ?? ""),
    acquiredAt: String(r.acquired_at ?? ""),
    leaseUntil: r.lease_until === null || r.lease_until === undefined ? null : Number(r.lease_until),
    generation: r.generation === null || r.generation === undefined ? null : Number(r.generation),
  };
}

/**
 * Whether the row is still the one a caller read: same owner, generation and lease (a renewal in
 * between makes a takeover read it again), or same run and holder for ownerless rows.
 */
function sameLock(now: LockRecord | undefined, expected: LockRecord | undefined): boolean {
  if (!now || !expected) return !now && !expected;
  if (now.owner || expected.owner)
    return (
      now.owner?.token === expected.owner?.token &&
      now.runId === expected.runId &&
      now.generation === expected.generation &&
      now.leaseUntil === expected.leaseUntil
    );
  return (
    now.runId === expected.runId && now.holder === expected.holder && now.acquiredAt === expected.acquiredAt
  );
}

/** better-sqlite3 is synchronous; the Journal interface is not (DynamoDB): errors become rejections. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
