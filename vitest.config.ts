import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Each integration file starts its own emulator; two workers match the two cores.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Tests never write into the real ~/.drctl.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      DRCTL_HOME: join(tmpdir(), `drctl-test-home-${process.pid}`),
    },
    reporters: ["default", "./test/harness/summary-reporter.ts"],
  },
});
