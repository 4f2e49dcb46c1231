import { Emulator } from "./demo/emulator.js";
import { AwsClients } from "./src/aws/client-factory.js";
import { buildWorld } from "./demo/world/build.js";
import { runCli } from "./src/cli/program.js";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const emu = await Emulator.start();
Object.assign(process.env, emu.env);
const aws = await AwsClients.create({ rateLimits: "off" });
try {
  await buildWorld(aws, { pairs: Number(process.argv[2] ?? 6) });
  const code = await runCli(["scan", "--html", "/tmp/r.html", ...process.argv.slice(3)]);
  console.log("exit", code);
} catch (e) { console.error(e); }
await emu.stop();
