/**
 * npm run demo [-- --pairs N --primary-region R --standby-region R --out DIR]; --help lists them.
 * Starts the local AWS emulator, builds the two-region world in it, runs drctl on it, prints a
 * summary and where the outputs are, and stops the emulator (also on Ctrl-C).
 */
import { STEP_KINDS } from "../src/catalog.js";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { AwsClients } from "../src/aws/client-factory.js";
import { assertRegion } from "../src/aws/regions.js";
import { runCli } from "../src/cli/program.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { loadRunbook } from "../src/runbook/load.js";
import { DrctlError, EXIT, InputError } from "../src/errors.js";
import { AwsBehaviour } from "../test/harness/aws-behaviour.js";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeImagesCommand, DescribeLaunchTemplateVersionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { appendFileSync, copyFileSync } from "node:fs";
import { buildDailyImages, launchFromLatestImageParameter } from "./world/compute.js";
import type { World } from "./world/build.js";
import { recordReplicaLag, workaroundProxy } from "../test/harness/moto-workarounds.js";
import { Emulator } from "./emulator.js";
import { buildWorld, changeWorld } from "./world/build.js";
import { buildDataStores } from "./world/data.js";
import { buildReadinessPairs } from "./world/readiness.js";
import { demoDrill } from "./drill.js";
import { announceKept, runKept, stopKept } from "./keep.js";
import { DEFAULT_WORLD, MAX_PAIRS } from "./world/options.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/**
 * The image lifecycle: drctl.yaml gets a schedule of examples/images/daily.yaml; the standby's
 * launch template reads /app/latest-ami-id; four earlier days' images are made and dated back. Then
 * the schedule's list, its plan (what pruning would remove), one run, and what it left: the copy,
 * the parameter, the template resolving it. Returns the run's exit code.
 */
async function dailyImages(
  endpoint: string,
  world: World,
  configFile: string,
  outDir: string,
): Promise<number> {
  const proxy = await workaroundProxy(endpoint);
  const aws = await AwsClients.create({ rateLimits: "off", endpointUrl: proxy.endpoint });
  try {
    const ec2 = (region: string) => aws.get(EC2Client, region);
    await launchFromLatestImageParameter(
      ec2("us-west-2"),
      aws.get(SSMClient, "us-west-2"),
      world.images.standbyImageId,
    );
    const web = (
      await aws
        .get(AutoScalingClient, "us-east-1")
        .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["web"] }))
    ).AutoScalingGroups?.[0];
    const earlier = await buildDailyImages(
      ec2("us-east-1"),
      ec2("us-west-2"),
      "us-east-1",
      web?.Instances?.[0]?.InstanceId ?? "",
      4,
    );
    earlier.forEach((e, i) => {
      const at = new Date(Date.now() - (11 - i) * 86_400_000);
      proxy.images.backdate(e.primaryImageId, at);
      proxy.images.backdate(e.standbyImageId, at);
    });
    mkdirSync(resolve(outDir, "runbooks"), { recursive: true });
    copyFileSync("examples/images/daily.yaml", resolve(outDir, "runbooks", "daily.yaml"));
    appendFileSync(
      configFile,
      [
        "schedules:",
        "  - name: daily-images",
        "    runbook: runbooks/daily.yaml",
        "    cron: cron(0 2 * * ? *)",
        "    set: { group: web }",
        `    notifyTopicArn: ${world.topicArn}`,
        "",
      ].join("\n"),
    );
    const base = ["--endpoint-url", proxy.endpoint, "--config", configFile];
    console.log(`\n$ drctl --config ${configFile} schedule list`);
    await runCli([...base, "schedule", "list"]);
    console.log(`\n$ drctl --config ${configFile} schedule plan daily-images`);
    await runCli([...base, "schedule", "plan", "daily-images"]);
    console.log(`\n$ drctl --config ${configFile} schedule run daily-images --execute`);
    const started = Date.now();
    const code = await runCli([...base, "schedule", "run", "daily-images", "--execute"]);
    console.log(`(the run took ${((Date.now() - started) / 1000).toFixed(1)} s on the emulator)`);
    const latest = (
      await aws.get(SSMClient, "us-west-2").send(new GetParameterCommand({ Name: "/app/latest-ami-id" }))
    ).Parameter?.Value;
    const copy = (await ec2("us-west-2").send(new DescribeImagesCommand({ ImageIds: [latest ?? ""] })))
      .Images?.[0];
    const template = (
      await ec2("us-west-2").send(
        new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: "web", Versions: ["$Default"] }),
      )
    ).LaunchTemplateVersions?.[0];
    console.log(
      [
        "",
        `the copy in us-west-2: ${copy?.ImageId ?? "?"} ${copy?.Name ?? ""} (${copy?.State ?? "?"})`,
        ...(copy?.Tags ?? []).map((t) => `  ${t.Key ?? ""}=${t.Value ?? ""}`).sort(),
        `/app/latest-ami-id in us-west-2: ${latest ?? "(none)"}`,
        `launch template web (us-west-2) version ${template?.VersionNumber ?? "?"}: ImageId ${template?.LaunchTemplateData?.ImageId ?? "?"}`,
      ].join("\n"),
    );
    return code;
  } finally {
    aws.destroy();
    await proxy.stop();
  }
}

export const DEMO_HELP = `Usage: npm run demo -- [options]

Starts the local AWS emulator (moto), builds a two-region warm-standby world in it, runs drctl on
it (inventory, scan, a change and a second scan, diff, publish, a failover and its failback),
prints what it did and where the outputs are, and stops the emulator.

Options:
  --pairs <n>                load-balancer pairs to build, 1 to ${MAX_PAIRS} (default ${DEFAULT_WORLD.pairs})
  --primary-region <code>    region of the primaries (default ${DEFAULT_WORLD.primaryRegion})
  --standby-region <code>    region of the standbys (default ${DEFAULT_WORLD.standbyRegion}; the failover
                             part runs only with the example runbook's region, us-west-2)
  --out <dir>                where the outputs go: world.json, drctl.yaml, report.html, history,
                             outbox, site, runbook journal (default out)
  --keep                     leave the world running when the demo is done (the emulator and the
                             proxy that adds what plain moto cannot do), print the environment to
                             export and commands to try; the demo's output also goes to <out>/demo.log
  --stop                     end the world a --keep left running (same --out)
  -h, --help                 show this help

Examples:
  npm run demo
  npm run demo -- --pairs 200 --primary-region eu-west-1 --standby-region eu-central-1
  npm run demo -- --out /tmp/drctl-demo
  npm run demo -- --keep        then try drctl on the world; npm run demo -- --stop ends it

Exit code: the worst of drctl's own (0 clean, 1 drift, 2 bad input, 3 could not finish).`;

/** The demo's options, checked before anything starts; bad ones are one line and exit 2. */
function demoOptions(argv: string[]) {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        pairs: { type: "string", default: String(DEFAULT_WORLD.pairs) },
        "primary-region": { type: "string", default: DEFAULT_WORLD.primaryRegion },
        "standby-region": { type: "string", default: DEFAULT_WORLD.standbyRegion },
        out: { type: "string", default: "out" },
        keep: { type: "boolean", default: false },
        stop: { type: "boolean", default: false },
        "kept-child": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (err) {
    throw new InputError(
      `${(err as Error).message.split("\n")[0] ?? ""}; npm run demo -- --help lists the options`,
    );
  }
  const pairs = /^\d+$/.test(values.pairs) ? Number(values.pairs) : NaN;
  if (!values.help && !(pairs >= 1 && pairs <= MAX_PAIRS))
    throw new InputError(`--pairs ${values.pairs}: expected a whole number from 1 to ${MAX_PAIRS}`);
  assertRegion(values["primary-region"], "--primary-region");
  assertRegion(values["standby-region"], "--standby-region");
  if (values["primary-region"] === values["standby-region"])
    throw new InputError("--primary-region and --standby-region: expected two different regions");
  return { ...values, pairs };
}

let values: ReturnType<typeof demoOptions>;
try {
  values = demoOptions(process.argv.slice(2));
} catch (err) {
  console.error(`demo: ${(err as Error).message}`);
  process.exit(err instanceof DrctlError ? err.exitCode : EXIT.couldNotFinish);
}
if (values.help) {
  console.log(DEMO_HELP);
  process.exit(EXIT.ok);
}

const say = (line: string) => console.error(line);
const outDir = resolve(values.out);
mkdirSync(outDir, { recursive: true });
if (values.stop) process.exit(await stopKept(outDir));
if (values.keep) process.exit(await runKept(outDir, process.argv.slice(2)));
const keptChild = values["kept-child"];

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
  // What AWS does and the emulator does not (global-table replicas, where a copy came from) comes
  // from the test harness's proxy: everything the demo builds and runs goes through it.
  const direct = await AwsClients.create({ rateLimits: "off", endpointUrl: emulator.endpoint });
  const behaviour = new AwsBehaviour(direct);
  const behaviourProxy = await behaviour.proxy(emulator.endpoint);
  process.env.AWS_ENDPOINT_URL = behaviourProxy.endpoint;
  const aws = await AwsClients.create({ rateLimits: "off" });
  const started = Date.now();
  const world = await buildWorld(
    aws,
    {
      pairs: values.pairs,
      primaryRegion: values["primary-region"],
      standbyRegion: values["standby-region"],
    },
    say,
  );
  const worldFile = resolve(outDir, "world.json");
  writeFileSync(worldFile, `${JSON.stringify(world, null, 2)}\n`);
  say(`world built in ${((Date.now() - started) / 1000).toFixed(1)} s with ${aws.counter.total} AWS calls`);
  const stores = await buildDataStores(aws, behaviour, world.options);
  const readinessPlants = await buildReadinessPairs(aws, world.options);
  aws.destroy();

  const regions = ["--region", world.options.primaryRegion, "--region", world.options.standbyRegion];
  console.log("\n$ drctl inventory " + regions.join(" "));
  const inventoryCode = await runCli(["inventory", ...regions]);

  // The demo's standby runs no instances until failover: a pilot light, so empty standby
  // target groups are information, not drift. History, outbox and site all live in out/.
  const configFile = resolve(outDir, "drctl.yaml");
  const storeFile = resolve(outDir, "history.sqlite");
  const outbox = resolve(outDir, "outbox");
  const siteDir = resolve(outDir, "site");
  for (const stale of [storeFile, `${storeFile}-wal`, `${storeFile}-shm`, outbox, siteDir])
    rmSync(stale, { recursive: true, force: true });
  writeFileSync(
    configFile,
    [
      "# written by npm run demo",
      "regions:",
      `  primary: ${world.options.primaryRegion}`,
      `  standby: ${world.options.standbyRegion}`,
      "strategy: pilot-light",
      `store: ${storeFile}`,
      "rpo: 15m",
      "applications:",
      "  - name: web",
      "    owner: Platform team",
      "    rto: 30m",
      "    rpo: 15m",
      "    arns:",
      '      - "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/web-001*"',
      '      - "arn:aws:rds:*:*:db:app-db*"',
      "    contacts:",
      '      - { name: DR on-call, role: incident lead, pager: "https://pager.example.com/dr" }',
      "      - { name: Database owner, role: database, email: db-owner@example.com }",
      "    runbooks:",
      `      failover: ${relative(outDir, resolve("examples/warm-standby/failover.yaml"))}`,
      `      failback: ${relative(outDir, resolve("examples/warm-standby/failback.yaml"))}`,
      "  - name: api",
      "    owner: Platform team",
      "    rto: 30s",
      "    rpo: 1m",
      '    arns: ["arn:aws:dynamodb:*:*:table/orders", "arn:aws:route53:::healthcheck/*"]',
      '    contacts: [{ name: DR on-call, role: incident lead, pager: "https://pager.example.com/dr" }]',
      "    drills: [drill.yaml]",
      "  - name: images",
      '    arns: ["arn:aws:ec2:*:*:image/*"]',
      "    rpo: 1d",
      "notify:",
      "  when: on-change",
      "  email:",
      "    from: drctl@example.com",
      "    to: [dr-oncall@example.com]",
      "    transport: outbox",
      `    outbox: ${outbox}`,
      "",
    ].join("\n"),
  );
  const reportFile = resolve(outDir, "report.html");
  const scanArgs = ["--config", configFile, "scan", "--html", reportFile, "--fail-on", "never"];
  console.log(`\n$ drctl ${scanArgs.join(" ")}`);
  let scanCode = await runCli(scanArgs);

  const plants = [
    ...world.plants.map((p) => ({ pair: p.pair, ruleId: p.expect.ruleId, description: p.description })),
    ...readinessPlants,
  ];
  console.log(`\nPlanted differences the scan ought to find (${plants.length}):`);
  for (const p of plants) console.log(`  ${p.pair}  ${p.ruleId.padEnd(26)} ${p.description}`);

  // Someone fixes one difference and makes another: the next scan says what changed.
  console.log(
    "\nChanging the world: web-002's standby idle timeout back to 60 s, web-001's standby TLS policy to an old one",
  );
  const changer = await AwsClients.create({ rateLimits: "off" });
  await changeWorld(world, changer);
  changer.destroy();
  console.log(
    `\n$ drctl --config ${configFile} scan --fail-on never   (second scan; its report is left out here)`,
  );
  scanCode = Math.max(
    scanCode,
    await runCli(["--config", configFile, "scan", "--fail-on", "never"], {
      out: () => undefined,
      err: (t) => console.error(t),
    }),
  );
  console.log(`\n$ drctl --config ${configFile} diff`);
  await runCli(["--config", configFile, "diff"]);
  console.log(`\n$ drctl --config ${configFile} publish --to ${siteDir}`);
  await runCli(["--config", configFile, "publish", "--to", siteDir]);

  // Freshness: how old the newest data in the standby is. The emulator publishes no metrics: the
  // harness records those AWS would (the replica 2 s behind, the bucket's replication 40 min).
  await recordReplicaLag(direct, world.options.standbyRegion, "app-db-replica", 2);
  const freshnessHtml = resolve(outDir, "freshness.html");
  const freshnessArgs = ["--config", configFile, "freshness", "--html", freshnessHtml, "--fail-on", "never"];
  console.log(`\n$ drctl ${freshnessArgs.join(" ")}`);
  const freshnessCode = await runCli(freshnessArgs);
  console.log(
    `\nThe freshness the world was built for: ${stores.replicatedBucket}'s replication 40 min behind its 15 min target (the breach); no copy of ${stores.unprotected.join(", ")}`,
  );
  scanCode = Math.max(scanCode, freshnessCode);

  // Failover: the dry run first, then the run itself. The emulator keeps no RDS metrics, so the
  // demo records the replica's lag; and moto mislabels a promoted replica, which the harness's
  // proxy corrects (the product code is written for AWS).
  process.env.DRCTL_HOME = resolve(outDir, "drctl-home");
  rmSync(process.env.DRCTL_HOME, { recursive: true, force: true });
  const runbook = "examples/warm-standby/failover.yaml";
  if (world.options.standbyRegion !== loadRunbook(STEP_KINDS, runbook).runbook.region) {
    console.log(
      `\n(${runbook} is written for a standby in ${loadRunbook(STEP_KINDS, runbook).runbook.region}; the failover part of the demo is left out)`,
    );
  } else {
    const runbook = "examples/warm-standby/failover.yaml";
    console.log(`\n$ drctl failover plan --runbook ${runbook}`);
    await runCli(["failover", "plan", "--runbook", runbook]);
    const lagWriter = await AwsClients.create({ rateLimits: "off" });
    await recordReplicaLag(lagWriter, world.options.standbyRegion, "app-db-replica", 2);
    const proxy = await workaroundProxy(emulator.endpoint);
    console.log(`\n$ drctl failover run --runbook ${runbook} --execute`);
    const failoverCode = await runCli([
      "--endpoint-url",
      proxy.endpoint,
      "failover",
      "run",
      "--runbook",
      runbook,
      "--execute",
    ]);
    scanCode = Math.max(scanCode, failoverCode);

    // Fail back: the inverse of the run just recorded, generated from its journal.
    const journal = SqliteJournal.open(resolve(process.env.DRCTL_HOME, "journal.sqlite"));
    const failoverRun = (await journal.runs())[0]?.runId ?? "";
    journal.close();
    await recordReplicaLag(lagWriter, world.options.primaryRegion, "app-db-failback", 1);
    lagWriter.destroy();
    console.log(`\n$ drctl failback plan --from ${failoverRun}`);
    await runCli(["--endpoint-url", proxy.endpoint, "failback", "plan", "--from", failoverRun]);
    console.log(`\n$ drctl failback run --from ${failoverRun} --execute`);
    const failbackCode = await runCli([
      "--endpoint-url",
      proxy.endpoint,
      "failback",
      "run",
      "--from",
      failoverRun,
      "--execute",
    ]);
    await proxy.stop();
    scanCode = Math.max(scanCode, failbackCode);
  }

  // The daily image on a schedule (examples/images/daily.yaml): the standby launches from
  // /app/latest-ami-id; images of four earlier days are there (made now, dated back by the
  // harness's proxy, which also tags snapshots and honours CopyImage's client token as AWS does).
  if (world.options.primaryRegion === "us-east-1" && world.options.standbyRegion === "us-west-2") {
    scanCode = Math.max(scanCode, await dailyImages(emulator.endpoint, world, configFile, outDir));
  } else {
    console.log(
      "\n(examples/images/daily.yaml is written for us-east-1 and us-west-2; the image part of the demo is left out)",
    );
  }

  // A drill: a DNS failover measured as clients see it (demo/drill.ts).
  const drillCode = await demoDrill({ direct, behaviour, configFile, outDir, siteDir, ...world.options });
  scanCode = Math.max(scanCode, drillCode);

  // The DR plans of the web and api applications, from everything above: the scans, freshness, the
  // failover run, the drill, the runbooks' dry runs and a live reading of high availability.
  const plansDir = resolve(outDir, "plans");
  const planArgs = ["--config", configFile, "plan", "--application", "web", "--application", "api"];
  console.log(`\n$ drctl ${[...planArgs, "--out", plansDir].join(" ")}`);
  scanCode = Math.max(scanCode, await runCli([...planArgs, "--out", plansDir]));
  await runCli(["--config", configFile, "publish", "--to", siteDir], { out: () => undefined, err: say });

  console.log(
    `\nOutputs:\n  world manifest  ${worldFile}\n  config          ${configFile}\n  HTML report     ${reportFile}\n  freshness       ${freshnessHtml}\n  drill report    ${resolve(outDir, "drill.html")}\n  DR plans        ${resolve(plansDir, "web.md")}, ${resolve(plansDir, "api.md")}\n  history         ${storeFile}\n  email outbox    ${outbox}\n  report site     ${resolve(siteDir, "index.html")}\n  runbook journal ${resolve(process.env.DRCTL_HOME, "journal.sqlite")}`,
  );
  const code = Math.max(inventoryCode, scanCode);
  if (keptChild) {
    // Images made through drctl's steps need the emulator workarounds too: they sit in front.
    const kept = await workaroundProxy(behaviourProxy.endpoint);
    announceKept(outDir, { pid: process.pid, endpoint: kept.endpoint, code, config: configFile });
  } else {
    await behaviourProxy.stop();
    direct.destroy();
    await stop(code);
  }
} catch (err) {
  console.error(
    `demo failed: ${err instanceof DrctlError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
  );
  await stop(err instanceof DrctlError ? err.exitCode : 3);
}
