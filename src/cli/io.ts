import { printable } from "../util/printable.js";
import type { Terminal } from "./task-list.js";

/** Where a command writes: results to stdout, progress and errors to stderr. Tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stderr when it is a terminal: live progress is drawn there; otherwise progress is one line per event. */
  terminal?: Terminal | undefined;
}

/** Streams whose reader has gone (`drctl scan --json | head`): written to no more. */
const closed = new WeakSet<NodeJS.WriteStream>();

/**
 * A reader that stops reading (a pipe into `head`) must not crash drctl or stop a runbook halfway:
 * what would have gone to that stream is dropped, and the command goes on to its end and exit code.
 */
export function keepGoingWhenReadersLeave(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
      closed.add(stream);
    });
  }
}

function writeLine(stream: NodeJS.WriteStream, text: string): void {
  if (!closed.has(stream)) stream.write(text.endsWith("\n") ? text : `${text}\n`);
}

export const processIo: Io = {
  out: (text) => writeLine(process.stdout, text),
  err: (text) => writeLine(process.stderr, text),
  get terminal(): Terminal | undefined {
    if (!process.stderr.isTTY || process.env.TERM === "dumb") return undefined;
    return { write: (text) => void process.stderr.write(text), columns: process.stderr.columns || 80 };
  },
};

/**
 * The one place every line drctl prints goes through: names, tag values, SSM values and error
 * messages come from AWS and from users, so control characters (escape sequences that repaint a
 * terminal) and bidi overrides are removed before they reach stdout or stderr. The live task list
 * draws its own escape sequences and writes to `terminal`, which is passed through as it is.
 */
export function terminalSafe(io: Io): Io {
  return {
    out: (text) => io.out(printable(text)),
    err: (text) => io.err(printable(text)),
    get terminal() {
      return io.terminal;
    },
  };
}

/**
 * JSON for stdout that stays both valid and faithful once it has passed `terminalSafe`: JSON.stringify
 * escapes C0 controls itself; every other character a terminal must not see (DEL, C1 controls, bidi
 * marks) is written as a \u escape, so the value parses back unchanged and nothing is stripped.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[^\x20-\x7e\n]/gu, (c) =>
    printable(c) === "" ? `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}` : c,
  );
}
