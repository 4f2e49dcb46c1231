import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { DrctlError } from "../errors.js";
import {
  lockHeld,
  type Journal,
  type RunRecord,
  type StepRecord,
  type StepResult,
  type StepStatus,
} from "./journal.js";

/** The journal in a SQLite file (~/.drctl/journal.sqlite): runs on one machine. */
export class SqliteJournal implements Journal {
  private constructor(
    private readonly db: Database.Database,
    readonly description: string,
  ) {}

  static open(file: string): SqliteJournal {
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file, { timeout: 5000 });
    db.pragma("journal_mode = WAL");
    db.exec(`
      CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, runbook TEXT, file TEXT, application TEXT, hash TEXT,
        started_at TEXT, finished_at TEXT, status TEXT);
      CREATE TABLE IF NOT EXISTS steps (run_id TEXT, step_id TEXT, seq INTEGER, status TEXT, started_at TEXT, finished_at TEXT,
        attempts INTEGER, outputs TEXT, error TEXT, plan TEXT, PRIMARY KEY (run_id, step_id));
      CREATE TABLE IF NOT EXISTS locks (application TEXT PRIMARY KEY, run_id TEXT, holder TEXT, acquired_at TEXT);
      CREATE TABLE IF NOT EXISTS approvals (run_id TEXT, step_id TEXT, by TEXT, at TEXT, PRIMARY KEY (run_id, step_id));`);
    // Journals written before steps kept their inputs gain the column.
    const columns = db.pragma("table_info(steps)") as { name: string }[];
    if (!columns.some((c) => c.name === "inputs")) db.exec("ALTER TABLE steps ADD COLUMN inputs TEXT");
    return new SqliteJournal(db, `journal ${file}`);
  }

  lock(application: string, runId: string, takeOverFrom?: string): Promise<void> {
    const take = this.db.transaction(() => {
      const held = this.db
        .prepare("SELECT run_id, holder, acquired_at FROM locks WHERE application = ?")
        .get(application) as { run_id: string; holder: string; acquired_at: string } | undefined;
      if (held && held.run_id !== runId && held.run_id !== takeOverFrom)
        throw lockHeld(application, { runId: held.run_id, holder: held.holder, at: held.acquired_at });
      this.db
        .prepare("INSERT OR REPLACE INTO locks VALUES (?, ?, ?, ?)")
        .run(application, runId, `pid ${process.pid} on ${hostname()}`, new Date().toISOString());
    });
    return settle(() => take.immediate());
  }

  unlock(application: string, runId: string): Promise<void> {
    return settle(() => {
      this.db.prepare("DELETE FROM locks WHERE application = ? AND run_id = ?").run(application, runId);
    });
  }

  startRun(run: Omit<RunRecord, "finishedAt" | "status">, stepIds: string[]): Promise<void> {
    const insert = this.db.transaction(() => {
      this.db
        .prepare("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, NULL, 'running')")
        .run(run.runId, run.runbook, run.file, run.application, run.hash, run.startedAt);
      const insertStep = this.db.prepare(
        "INSERT INTO steps (run_id, step_id, seq, status, attempts, outputs) VALUES (?, ?, ?, 'pending', 0, '{}')",
      );
      stepIds.forEach((id, seq) => insertStep.run(run.runId, id, seq));
    });
    return settle(() => insert.immediate());
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
      const rows = this.db.prepare("SELECT * FROM steps WHERE run_id = ? ORDER BY seq").all(runId) as Record<
        string,
        string | number | null
      >[];
      return rows.map((r) => ({
        stepId: String(r.step_id),
        status: r.status as StepStatus,
        startedAt: (r.started_at as string | null) ?? null,
        finishedAt: (r.finished_at as string | null) ?? null,
        attempts: Number(r.attempts),
        outputs: JSON.parse(String(r.outputs)) as Record<string, string>,
        error: (r.error as string | null) ?? null,
        plan: (r.plan as string | null) ?? null,
        inputs: r.inputs ? (JSON.parse(String(r.inputs)) as Record<string, unknown>) : null,
      }));
    });
  }

  stepStarted(runId: string, stepId: string, plan: string, continuing = false): Promise<void> {
    return settle(() => {
      if (continuing)
        this.db
          .prepare(
            "UPDATE steps SET status = 'running', finished_at = NULL, plan = ?, error = NULL WHERE run_id = ? AND step_id = ?",
          )
          .run(plan, runId, stepId);
      else
        this.db
          .prepare(
            "UPDATE steps SET status = 'running', started_at = ?, finished_at = NULL, attempts = attempts + 1, plan = ?, error = NULL WHERE run_id = ? AND step_id = ?",
          )
          .run(new Date().toISOString(), plan, runId, stepId);
    });
  }

  stepPlanned(runId: string, stepId: string, plan: string, inputs: unknown): Promise<void> {
    return settle(() => {
      this.db
        .prepare("UPDATE steps SET plan = ?, inputs = ? WHERE run_id = ? AND step_id = ?")
        .run(plan, JSON.stringify(inputs), runId, stepId);
    });
  }

  stepFinished(runId: string, stepId: string, result: StepResult): Promise<void> {
    return settle(() => {
      this.db
        .prepare(
          "UPDATE steps SET status = ?, finished_at = ?, outputs = ?, error = ? WHERE run_id = ? AND step_id = ?",
        )
        .run(
          result.status,
          new Date().toISOString(),
          JSON.stringify(result.status === "succeeded" ? result.outputs : {}),
          result.status === "succeeded" ? null : result.error,
          runId,
          stepId,
        );
    });
  }

  finishRun(runId: string, status: "succeeded" | "failed"): Promise<void> {
    return settle(() => {
      this.db
        .prepare("UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?")
        .run(status, new Date().toISOString(), runId);
    });
  }

  approve(runId: string, stepId: string, by: string): Promise<void> {
    return settle(() => {
      const known = this.db
        .prepare("SELECT 1 FROM steps WHERE run_id = ? AND step_id = ?")
        .get(runId, stepId);
      if (!known) throw new DrctlError(`run ${runId} has no step ${stepId}`, { exitCode: 2 });
      this.db
        .prepare("INSERT OR IGNORE INTO approvals VALUES (?, ?, ?, ?)")
        .run(runId, stepId, by, new Date().toISOString());
    });
  }

  approval(runId: string, stepId: string): Promise<{ by: string; at: string } | undefined> {
    return settle(
      () =>
        this.db
          .prepare("SELECT by, at FROM approvals WHERE run_id = ? AND step_id = ?")
          .get(runId, stepId) as { by: string; at: string } | undefined,
    );
  }

  close(): void {
    this.db.close();
  }

  private readRun(runId: string): RunRecord | undefined {
    const r = this.db.prepare("SELECT * FROM runs WHERE run_id = ?").get(runId) as
      Record<string, string | null> | undefined;
    return r
      ? {
          runId: String(r.run_id),
          runbook: String(r.runbook),
          file: String(r.file),
          application: String(r.application),
          hash: String(r.hash),
          startedAt: String(r.started_at),
          finishedAt: r.finished_at ?? null,
          status: r.status as RunRecord["status"],
        }
      : undefined;
  }
}

/** better-sqlite3 is synchronous; the Journal interface is not (DynamoDB): errors become rejections. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
