/**
 * A drill in its own process, so a test can SIGKILL it at any phase (test/drill-crash.test.ts):
 * runDrill with the harness's resolver (DNS answers from the Route 53 records and health check in
 * the emulator), the drill file's canaries and no preflight (the preflight is not under test
 * here). Every line the drill logs goes to stderr at once (writeSync), so the parent can wait for
 * a phase's line before it kills; the record goes to stdout as JSON when the drill ends.
 *
 *   DRILL_ENDPOINT  the AWS endpoint (a proxy in front of the emulator)
 *   DRILL_ZONE      the hosted zone the resolver answers from
 *   DRILL_FILE      the drill file
 *   DRILL_HOME      where the journal (journal.sqlite) and generated runbooks go
 *   DRILL_ID        the drill's id
 *   DRILL_RESOLVER_ENDPOINT  where the resolver reads Route 53 (default DRILL_ENDPOINT), so that
 *                   a proxy at DRILL_ENDPOINT counts the drill's own calls only
 *   DRILL_USAGE     when set, the record is followed by a line of the process's figures (JSON:
 *                   CPU time and journal calls during the drill, peak RSS), for bench/drill.ts
 * DRCTL_CRASH_AT works as for drctl (src/runbook/crash-hook.ts): the process kills itself at a
 * step's boundary.
 */
import { STEP_KINDS } from "../../src/catalog.js";
import { writeSync } from "node:fs";
import { join } from "node:path";
import { AwsClients } from "../../src/aws/client-factory.js";
import { configSchema } from "../../src/config/schema.js";
import { canaryStores } from "../../src/drill/canaries.js";
import { runDrill } from "../../src/drill/engine.js";
import { loadDrill } from "../../src/drill/load.js";
import { SqliteJournal } from "../../src/runbook/journal-sqlite.js";
import { Route53Dns } from "./drill-world.js";

const need = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const aws = await AwsClients.create({
  endpointUrl: need("DRILL_ENDPOINT"),
  rateLimits: "off",
  credentials: () => Promise.resolve({ accessKeyId: "test", secretAccessKey: "test" }),
});
const resolverAws = process.env.DRILL_RESOLVER_ENDPOINT
  ? await AwsClients.create({
      endpointUrl: process.env.DRILL_RESOLVER_ENDPOINT,
      rateLimits: "off",
      credentials: () => Promise.resolve({ accessKeyId: "test", secretAccessKey: "test" }),
    })
  : aws;
const home = need("DRILL_HOME");
const sqlite = SqliteJournal.open(join(home, "journal.sqlite"));
/** Calls of the journal by method, while the drill runs. */
const journalCalls: Record<string, number> = {};
const journal = new Proxy(sqlite, {
  get(target, key, receiver) {
    const v: unknown = Reflect.get(target, key, receiver);
    if (typeof v !== "function" || typeof key !== "string") return v;
    return (...args: unknown[]) => {
      journalCalls[key] = (journalCalls[key] ?? 0) + 1;
      return (v as (...a: unknown[]) => unknown).apply(target, args);
    };
  },
});
const d = loadDrill(STEP_KINDS, need("DRILL_FILE"));
const config = configSchema.parse({});
const cpu = process.cpuUsage();
const startedAt = Date.now();
const out = await runDrill(aws, journal, d, {
  resolver: new Route53Dns(resolverAws, need("DRILL_ZONE")),
  preflight: () => Promise.resolve({ findings: [], problems: [], runs: {} }),
  canaries: (id) => canaryStores(aws, d.drill, id, config, d.file),
  // The drilled application owns the world's health checks (the fault's scope is not under test here).
  applications: configSchema.parse({
    applications: [{ name: d.drill.application, arns: ["arn:aws:route53:::healthcheck/*"] }],
  }).applications,
  log: (line) => writeSync(2, `${line}\n`),
  runbookDir: join(home, "runbooks"),
  drillId: need("DRILL_ID"),
});
const used = process.cpuUsage(cpu);
writeSync(1, JSON.stringify(out.result));
if (process.env.DRILL_USAGE)
  writeSync(
    1,
    `\n${JSON.stringify({
      drillMs: Date.now() - startedAt,
      cpuUserMs: used.user / 1000,
      cpuSystemMs: used.system / 1000,
      processCpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      peakRssKb: process.resourceUsage().maxRSS,
      journalCalls,
    })}`,
  );
sqlite.close();
aws.destroy();
if (resolverAws !== aws) resolverAws.destroy();
process.exitCode = out.exit;
