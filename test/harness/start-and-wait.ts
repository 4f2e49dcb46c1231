// Starts an emulator, prints its endpoint and pid, then waits to be killed (see emulator.test.ts).
import { Emulator } from "../../demo/emulator.js";

const emulator = await Emulator.start();
process.stdout.write(`${JSON.stringify({ endpoint: emulator.endpoint, pid: emulator.pid })}\n`);
setInterval(() => {}, 1000);
