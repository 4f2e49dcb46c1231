import { vi } from "vitest";
import { AwsClients } from "../../src/aws/client-factory.js";
import { undeclaredCalls } from "../../src/aws/services.js";
import { commandOperations } from "../../src/permissions.js";

/**
 * Records every AWS call ("Service.Operation", as the call counter keys them) made by clients
 * created from now on, by drctl's commands run in-process (runCli) included: their clients are
 * made through AwsClients.create, which this wraps to observe each call. Clients made before
 * (a test's own, to seed the world) are not observed.
 */
export function recordAwsCalls(): { calls: Set<string>; stop(): void } {
  const create = AwsClients.create.bind(AwsClients);
  const calls = new Set<string>();
  const spy = vi.spyOn(AwsClients, "create").mockImplementation((options = {}) =>
    create({
      ...options,
      onCall: (call) => {
        calls.add(`${call.service}.${call.operation}`);
        options.onCall?.(call);
      },
    }),
  );
  return { calls, stop: () => spy.mockRestore() };
}

/**
 * The calls that none of the named rows of the permission table (src/permissions.ts) declares:
 * a read or change some module makes without listing it, so the README and the policy lack it.
 */
export function undeclaredBy(calls: Iterable<string>, ...commands: string[]): string[] {
  const rows = commandOperations();
  const missing = commands.filter((c) => !(c in rows));
  if (missing.length > 0) throw new Error(`no such row in the permission table: ${missing.join(", ")}`);
  return undeclaredCalls(
    calls,
    commands.flatMap((c) => rows[c] ?? []),
  );
}
