/**
 * npm run demo [-- --pairs N --primary-region R --standby-region R]
 * Starts the local AWS emulator, builds the two-region world in it, runs drctl on it, prints a
 * summary and where the outputs are, and stops the emulator (also on Ctrl-C).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { AwsClients } from "../src/aws/client-factory.js";
import { runCli } from "../src/cli/program.js";
import { DrctlError } from "../src/errors.js";
import { Emulator } from "./emulator.js";
import { buildWorld } from "./world/build.js";
import { DEFAULT_WORLD } from "./world/options.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const { values } = parseArgs({
  options: {
    pairs: { type: "string", default: String(DEFAULT_WORLD.pairs) },
    "primary-region": { type: "string", default: DEFAULT_WORLD.primaryRegion },
    "standby-region": { type: "string", default: DEFAULT_WORLD.standbyRegion },
    out: { type: "string", default: "out" },
  },
});

const say = (line: string) => console.error(line);
const outDir = resolve(values.out);
mkdirSync(outDir, { recursive: true });

say("starting the local AWS emulator (moto)");
let emulator: Emulator | undefined;
const stop = async (code: number) => {
  await emulator?.stop();
  process.exit(code);
};
process.once("SIGINT", () => void stop(130));
process.once("SIGTERM", () => void stop(143));

try {
  emulator = await Emulator.start();
  Object.assign(process.env, emulator.env);
  say(`emulator listening on ${emulator.endpoint}`);
  const aws = await AwsClients.create({ rateLimits: "off" });
  const started = Date.now();
  const world = await buildWorld(
    aws,
    {
      pairs: Number(values.pairs),
      primaryRegion: values["primary-region"],
      standbyRegion: values["standby-region"],
    },
    say,
  );
  const worldFile = resolve(outDir, "world.json");
  writeFileSync(worldFile, `${JSON.stringify(world, null, 2)}\n`);
  say(`world built in ${((Date.now() - started) / 1000).toFixed(1)} s with ${aws.counter.total} AWS calls`);
  aws.destroy();

  const regions = ["--region", world.options.primaryRegion, "--region", world.options.standbyRegion];
  console.log("\n$ drctl inventory " + regions.join(" "));
  const inventoryCode = await runCli(["inventory", ...regions]);

  // The demo's standby runs no instances until failover: a pilot light, so empty standby
  // target groups are information, not drift.
  const configFile = resolve(outDir, "drctl.yaml");
  writeFileSync(
    configFile,
    `# written by npm run demo\nregions:\n  primary: ${world.options.primaryRegion}\n  standby: ${world.options.standbyRegion}\nstrategy: pilot-light\n`,
  );
  const reportFile = resolve(outDir, "report.html");
  const scanArgs = ["--config", configFile, "scan", "--html", reportFile, "--fail-on", "never"];
  console.log(`\n$ drctl ${scanArgs.join(" ")}`);
  const scanCode = await runCli(scanArgs);

  console.log(`\nPlanted differences the scan ought to find (${world.plants.length}):`);
  for (const p of world.plants) console.log(`  ${p.pair}  ${p.expect.ruleId.padEnd(26)} ${p.description}`);
  console.log(
    `\nOutputs:\n  world manifest  ${worldFile}\n  config          ${configFile}\n  HTML report     ${reportFile}`,
  );
  await stop(Math.max(inventoryCode, scanCode));
} catch (err) {
  console.error(
    `demo failed: ${err instanceof DrctlError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
  );
  await stop(err instanceof DrctlError ? err.exitCode : 3);
}
