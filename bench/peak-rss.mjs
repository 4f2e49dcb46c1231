// Preloaded into a measured drctl process (node --import): writes its peak RSS in KiB to the
// file named by DRCTL_BENCH_RSS_FILE when it exits, so the bench needs no external `time`.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  const file = process.env.DRCTL_BENCH_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});

// The bench stops a scan at its first AWS call with SIGTERM: exit through the handler above.
process.once("SIGTERM", () => process.exit(143));
