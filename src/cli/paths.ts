/**
 * Paths a command will write to, checked before any work starts: a folder that cannot be created
 * or written is bad input (exit 2) at once, in one line, never a stack trace later or a spin (a
 * recursive mkdir under /proc never returns).
 */
import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "../errors.js";
import { PRIVATE_DIR_MODE } from "../util/files.js";

function why(err: unknown): string {
  const code = (err as { code?: string }).code ?? "";
  if (code === "EACCES" || code === "EPERM") return `permission denied (${code})`;
  if (code === "EROFS") return "the file system is read-only (EROFS)";
  if (code === "ENOENT") return "the file system does not allow a folder there (ENOENT)";
  if (code === "ENOSPC") return "no space left on the device (ENOSPC)";
  return err instanceof Error ? err.message : String(err);
}

/**
 * Makes sure `dir` is a folder drctl can write in, creating the missing ones one level at a time
 * (`mode` for those it creates). `where` says which flag or setting named it.
 */
export function prepareFolder(dir: string, where: string, mode = PRIVATE_DIR_MODE): string {
  const target = resolve(dir);
  const missing: string[] = [];
  let at = target;
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(at).isDirectory();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "ENOENT" && dirname(at) !== at) {
        missing.unshift(at);
        at = dirname(at);
        continue;
      }
      if (code === "ENOTDIR") {
        // Some ancestor is a file: find it, to say which.
        let up = dirname(at);
        while (dirname(up) !== up) {
          try {
            if (!statSync(up).isDirectory()) break;
          } catch {
            // keep going up
          }
          up = dirname(up);
        }
        throw new InputError(`${where}: cannot use the folder ${target}: ${up} is a file, not a folder`);
      }
      throw new InputError(`${where}: cannot use the folder ${target}: ${why(err)}`);
    }
    if (!isDir)
      throw new InputError(`${where}: cannot use the folder ${target}: ${at} is a file, not a folder`);
    break;
  }
  try {
    accessSync(at, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new InputError(`${where}: cannot write in ${at}: ${why(err)}`);
  }
  for (const d of missing) {
    try {
      mkdirSync(d, { mode });
    } catch (err) {
      if ((err as { code?: string }).code === "EEXIST") continue;
      throw new InputError(`${where}: cannot create the folder ${d}: ${why(err)}`);
    }
  }
  return target;
}

/** Makes sure `file` can be written: its folder as `prepareFolder` does, and it is not itself a folder. */
export function prepareFile(file: string, where: string, dirMode = PRIVATE_DIR_MODE): string {
  const target = resolve(file);
  prepareFolder(dirname(target), where, dirMode);
  let isDir = false;
  try {
    isDir = statSync(target).isDirectory();
  } catch {
    // does not exist yet: fine
  }
  if (isDir) throw new InputError(`${where}: ${target} is a folder; expected a file name`);
  return target;
}
