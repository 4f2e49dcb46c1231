import { afterAll, beforeAll } from "vitest";
import { Emulator } from "../../demo/emulator.js";
import { AwsClients, type AwsClientsOptions } from "../../src/aws/client-factory.js";

/**
 * One emulator for the calling test file: started before its tests, always stopped after
 * them (and by the harness's parent watch if the worker dies). Files run in parallel workers,
 * each with its own emulator, so no test sees another file's world.
 */
export function useEmulator(): {
  readonly emulator: Emulator;
  clients(options?: AwsClientsOptions): Promise<AwsClients>;
} {
  let emulator: Emulator | undefined;
  const made: AwsClients[] = [];
  beforeAll(async () => {
    emulator = await Emulator.start();
    Object.assign(process.env, emulator.env);
  });
  afterAll(async () => {
    for (const c of made) c.destroy();
    await emulator?.stop();
  });
  return {
    get emulator() {
      if (!emulator) throw new Error("the emulator is not started yet (use it inside a test or hook)");
      return emulator;
    },
    async clients(options: AwsClientsOptions = {}) {
      if (!emulator) throw new Error("the emulator is not started yet (use it inside a test or hook)");
      const c = await AwsClients.create({ endpointUrl: emulator.endpoint, rateLimits: "off", ...options });
      made.push(c);
      return c;
    },
  };
}
