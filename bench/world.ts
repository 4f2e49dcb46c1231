/**
 * npm run bench:world -- --pairs 500
 * Builds the demo world of N pairs in a fresh emulator and prints how long it took, the AWS
 * calls it made and the peak memory. Prints figures; asserts nothing.
 */
import { parseArgs } from "node:util";
import { AwsClients } from "../src/aws/client-factory.js";
import { Emulator } from "../demo/emulator.js";
import { buildWorld } from "../demo/world/build.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { values } = parseArgs({ options: { pairs: { type: "string", multiple: true, default: ["500"] } } });

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

for (const pairs of values.pairs.map(Number)) {
  const emulator = await Emulator.start();
  try {
    const aws = await AwsClients.create({
      endpointUrl: emulator.endpoint,
      rateLimits: "off",
      credentials: () => Promise.resolve({ accessKeyId: "bench", secretAccessKey: "bench" }),
    });
    const started = performance.now();
    const world = await buildWorld(aws, { pairs }, (line) => console.error(line));
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `world of ${pairs} pairs: ${seconds.toFixed(1)} s, ${aws.counter.total} AWS calls ` +
        `(${(aws.counter.total / pairs).toFixed(1)} per pair, ${(aws.counter.total / seconds).toFixed(0)} calls/s), ` +
        `${world.plants.length} planted differences, peak RSS of drctl ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
    );
    aws.destroy();
  } finally {
    await emulator.stop();
  }
}
clearInterval(sampler);
