/**
 * The few error classes drctl raises. Each carries the process exit code it maps to
 * (see DESIGN: 2 bad input, 3 could not finish) and keeps the underlying `cause`.
 */

export const EXIT = { ok: 0, findings: 1, badInput: 2, couldNotFinish: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class DrctlError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, options: { exitCode?: ExitCode; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? EXIT.couldNotFinish;
  }
}

/** Something the user gave us (flag, file, tag value) is not what was expected. */
export class InputError extends DrctlError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, exitCode: EXIT.badInput });
  }
}

/** A config or runbook file is invalid; the message starts with file:line:column. */
export class ConfigError extends InputError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
  }
}

/** A prerequisite of the local world (python3, moto) is missing. */
export class EmulatorUnavailableError extends DrctlError {}
