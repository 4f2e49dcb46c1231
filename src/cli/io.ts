import { printable } from "../util/printable.js";
import type { Terminal } from "./task-list.js";

/** Where a command writes: results to stdout, progress and errors to stderr. Tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stderr when it is a terminal: live progress is drawn there; otherwise progress is one line per event. */
  terminal?: Terminal | undefined;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => void process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
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
