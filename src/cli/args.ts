/**
 * Flag values checked where they enter, like config files: numbers are numbers, names of a fixed
 * set are matched without regard to case. A bad value is a commander error: one line, exit 2.
 */
import { InvalidArgumentError } from "commander";

/** A whole number within [min, max]: `--limit abc`, `--limit 0` and `--limit 2.5` are refused. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const text = value.trim();
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(
        `expected a whole number${max === Number.MAX_SAFE_INTEGER ? ` of at least ${min}` : ` from ${min} to ${max}`}.`,
      );
    return n;
  };
}

/** One of `choices`, in any case (`--fail-on High` is `high`); the value returned is the canonical one. */
export function oneOf<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    const found = choices.find((c) => c.toLowerCase() === value.trim().toLowerCase());
    if (found === undefined)
      throw new InvalidArgumentError(`expected one of ${choices.join(", ")} (in any case).`);
    return found;
  };
}
