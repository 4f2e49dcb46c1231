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
