/**
 * Files drctl writes for people and for itself. Reports, outbox messages, site pages and generated
 * runbooks appear whole or not at all: each is written to a temporary file beside its target and
 * renamed over it (rename is atomic within a folder), so a reader or a crash never sees half a file.
 * drctl's own folders are private (0700) and its files 0600 unless a caller asks for another mode.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and its parents) if needed; a folder drctl creates for itself is 0700. */
export function ensureDir(dir: string, mode = PRIVATE_DIR_MODE): void {
  mkdirSync(dir, { recursive: true, mode });
}

/** Creates `dir` if needed and makes it private (0700), also when it already existed. */
export function ensurePrivateDir(dir: string): void {
  ensureDir(dir, PRIVATE_DIR_MODE);
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Writes `data` to `file` whole or not at all: a temporary file in the same folder, flushed to
 * disk, then renamed over the target. The folder is created when missing. `mode` defaults to 0600.
 */
export function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: { mode?: number; dirMode?: number } = {},
): void {
  const dir = dirname(file);
  ensureDir(dir, options.dirMode ?? PRIVATE_DIR_MODE);
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const mode = options.mode ?? PRIVATE_FILE_MODE;
  let fd: number | undefined;
  try {
    fd = openSync(temp, "wx", mode);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    // The umask may have narrowed the mode at creation; the caller's mode is what it asked for.
    chmodSync(temp, mode);
    renameSync(temp, file);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
}
