/**
 * The live task list of an interactive run on stderr: one line per step with its state, how long
 * it has taken and what it is doing, redrawn in place. Log lines scroll above it. Only used on a
 * terminal; elsewhere (CI logs, pipes) runs print one line per event instead.
 */

/** Where the list is drawn: a terminal, written to without added newlines. */
export interface Terminal {
  write(text: string): void;
  /** Width in characters: longer lines are cut, since a wrapped line would break the redraw. */
  columns: number;
}

type State = "pending" | "running" | "succeeded" | "failed" | "skipped" | "in-doubt";

interface Task {
  id: string;
  state: State;
  detail: string;
  startedAt?: number;
  endedAt?: number;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const MARK: Record<Exclude<State, "running">, string> = {
  pending: "·",
  succeeded: "✔",
  failed: "✖",
  skipped: "↷",
  // Stopped between its intent and the record of its calls: a person decides.
  "in-doubt": "?",
};

const asState = (status: string): State =>
  status === "running" ||
  status === "succeeded" ||
  status === "failed" ||
  status === "skipped" ||
  status === "in-doubt"
    ? status
    : "pending";

export class TaskList {
  private readonly tasks: Task[];
  private drawn = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly term: Terminal,
    ids: string[],
    private readonly now: () => number = Date.now,
  ) {
    this.tasks = ids.map((id) => ({ id, state: "pending", detail: "" }));
  }

  /** Starts redrawing a few times a second (spinner, running times). */
  start(): void {
    this.draw();
    this.timer = setInterval(() => {
      this.frame++;
      this.draw();
    }, 200);
    this.timer.unref();
  }

  /** A step's new state, as the engine reports it. */
  update(id: string, status: string, detail?: string): void {
    let task = this.tasks.find((t) => t.id === id);
    if (!task) {
      task = { id, state: "pending", detail: "" };
      this.tasks.push(task);
    }
    const state = asState(status);
    if (state === "running" && task.state !== "running") {
      task.startedAt = this.now();
      delete task.endedAt;
    }
    if (state !== "running" && task.state === "running") task.endedAt = this.now();
    task.state = state;
    if (detail !== undefined) task.detail = detail;
    this.draw();
  }

  /** A log line, printed above the list. */
  log(line: string): void {
    this.erase();
    this.term.write(`${line}\n`);
    this.draw();
  }

  /** The final state stays on screen; the redraws stop. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.draw();
    this.drawn = 0;
  }

  /** The lines as they are drawn now (without cursor movements). */
  lines(): string[] {
    const width = Math.max(...this.tasks.map((t) => t.id.length), 4);
    return this.tasks.map((t) => {
      const mark = t.state === "running" ? (SPINNER[this.frame % SPINNER.length] ?? "*") : MARK[t.state];
      const took =
        t.startedAt === undefined ? "" : `${(((t.endedAt ?? this.now()) - t.startedAt) / 1000).toFixed(1)}s`;
      const line = `  ${mark} ${t.id.padEnd(width)} ${t.state.padEnd(9)} ${took.padStart(7)}  ${t.detail}`;
      return cut(line.trimEnd(), this.term.columns);
    });
  }

  private erase(): void {
    // Up to the first line of the list, then clear to the end of the screen.
    if (this.drawn > 0) this.term.write(`\x1b[${this.drawn}F\x1b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    this.erase();
    const lines = this.lines();
    this.term.write(`${lines.join("\n")}\n`);
    this.drawn = lines.length;
  }
}

/** Cuts a line to `columns` characters (counting code points), ending with … when cut. */
function cut(line: string, columns: number): string {
  const chars = [...line];
  if (columns < 2 || chars.length < columns) return line;
  return `${chars.slice(0, columns - 2).join("")}…`;
}
