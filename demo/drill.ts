/**
 * The demo's drill: a DNS failover of a small API measured as its clients see it. Two local HTTP
 * servers stand for the API in each region (127.0.0.1 the primary, 127.0.0.2 the standby), Route
 * 53 failover records and a health check in the emulator point at them, and a small DNS server
 * answers from those records and the health check's state (the emulator serves no DNS); the
 * drill file names it as its resolver. The standby starts serving 2 s after the fault (as a warm
 * standby's application would finish warming up), and the harness copies the drill's canary
 * writes to the orders table's standby replica 300 ms after they are made (both ways, as a global
 * table does). `drctl drill run --execute` then measures the RTO and RPO, stores the drill in the
 * history and writes its HTML report with the chart.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runCli } from "../src/cli/program.js";
import type { AwsBehaviour } from "../test/harness/aws-behaviour.js";
import { DnsServer, failoverRecords, regionApps, Route53Dns } from "../test/harness/drill-world.js";

/** How long after the fault the standby starts serving: the truth the drill's RTO is measured against. */
const SERVES_AFTER_MS = 2000;

export async function demoDrill(options: {
  direct: AwsClients;
  behaviour: AwsBehaviour;
  configFile: string;
  outDir: string;
  siteDir: string;
  primaryRegion: string;
  standbyRegion: string;
}): Promise<number> {
  const { direct, behaviour, configFile, outDir } = options;
  const [P, S] = [options.primaryRegion, options.standbyRegion];
  let apps;
  try {
    apps = await regionApps(P, S);
  } catch (err) {
    console.log(
      `\n(the drill needs 127.0.0.1 and 127.0.0.2 on one port: ${(err as Error).message}; left out)`,
    );
    return 0;
  }
  const records = await failoverRecords(direct, apps, "drill.example.com", "api.drill.example.com");
  const dns = new DnsServer(new Route53Dns(direct, records.zoneId));
  await dns.start();
  let faultAt: number | undefined;
  behaviour.observe((request, info) => {
    if (
      info.method === "POST" &&
      /\/healthcheck\//.test(info.path) &&
      /<Inverted>true<\/Inverted>/.test(request)
    )
      faultAt ??= Date.now();
  });
  apps.standby.serving = () => faultAt !== undefined && Date.now() >= faultAt + SERVES_AFTER_MS;
  behaviour.replicateCanary({ delayMs: 300, table: { name: "orders", region: P, replicaRegion: S } });
  behaviour.alsoReplicateCanary({ delayMs: 300, table: { name: "orders", region: S, replicaRegion: P } });

  const drillFile = resolve(outDir, "drill.yaml");
  writeFileSync(
    drillFile,
    `# written by npm run demo: the DNS failover drill of examples/drills/dns-failover.yaml, on the local world
version: 1
name: dns failover
application: api
regions: { primary: ${P}, standby: ${S} }
endpoints:
  - name: api
    url: http://api.drill.example.com:${apps.port}/health
    expect: { status: 200, body: healthy }
    region: { header: x-region }
probe:
  interval: 0.5s
  timeout: 1s
  consecutive: 3
  baseline: 20s
  # The demo's DNS server, answering from the Route 53 records and health check in the emulator.
  resolver: { servers: ["127.0.0.1:${dns.port}"] }
canaries:
  - name: orders
    dynamodb: { table: orders, key: pk }
fault:
  kind: fault.route53-health-check
  params: { healthCheck: ${records.healthCheckId}, action: invert }
runbook: none
failback: none
targets: { rto: 30s, rpo: 1m }
timeouts: { detect: 30s, recovery: 60s, failback: 60s }
`,
  );
  const html = resolve(outDir, "drill.html");
  const why = "demo: the scan's findings are the world's planted differences";
  try {
    console.log(`\n$ drctl --config ${configFile} drill plan ${drillFile}`);
    await runCli(["--config", configFile, "drill", "plan", drillFile]);
    console.log(
      `\n$ drctl --config ${configFile} drill run ${drillFile} --execute --force "${why}" --html ${html}`,
    );
    const code = await runCli([
      "--config",
      configFile,
      "drill",
      "run",
      drillFile,
      "--execute",
      "--force",
      why,
      "--html",
      html,
    ]);
    console.log(
      `(the truth: the standby served from ${SERVES_AFTER_MS / 1000} s after the fault took effect; every write replicated after 300 ms)`,
    );
    console.log(`\n$ drctl --config ${configFile} history --limit 3`);
    await runCli(["--config", configFile, "history", "--limit", "3"]);
    console.log(
      `\n$ drctl --config ${configFile} publish --to ${options.siteDir}   (the site now lists the drill)`,
    );
    await runCli(["--config", configFile, "publish", "--to", options.siteDir], {
      out: () => undefined,
      err: () => undefined,
    });
    return code;
  } finally {
    dns.stop();
    await apps.primary.stop();
    await apps.standby.stop();
  }
}
