#!/usr/bin/env node
import { keepGoingWhenReadersLeave } from "./io.js";
import { runCli } from "./program.js";

// drctl pins its AWS SDK versions and states its own Node range; the SDK's notice about
// future SDK releases needing Node 22 would only add noise to every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

keepGoingWhenReadersLeave();
process.exitCode = await runCli(process.argv.slice(2));
