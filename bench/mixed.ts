/**
 * npm run bench:mixed -- --pairs 200 --pairs 1000
 * For each N: builds a fleet of N pairs of mixed types in a fresh emulator (SQS queues, SNS topics,
 * DynamoDB tables, CloudWatch alarms and Auto Scaling groups, in turn; primaries in us-east-1,
 * standbys in eu-west-1, named differently), then scans it in a separate process running the
 * compiled drctl: once with every type (pairs per second, peak RSS) and once per type alone
 * (the AWS calls that type makes per pair and side, discovery included). Asserts nothing.
 */
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from "@aws-sdk/client-auto-scaling";
import { CreateLaunchTemplateCommand, EC2Client } from "@aws-sdk/client-ec2";
import { Emulator } from "../demo/emulator.js";
import { alarm, queue, table, topic } from "../demo/world/readiness.js";
import { AwsClients } from "../src/aws/client-factory.js";
import { pool } from "../src/util/pool.js";

execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { values } = parseArgs({
  options: { pairs: { type: "string", multiple: true, default: ["200", "1000"] } },
});
const [P, S] = ["us-east-1", "eu-west-1"];
const dr = (standbyArn: string) => ({ enable: "true", isPrimary: "true", secondaryARN: standbyArn });
const list = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

async function group(aws: AwsClients, region: string, name: string, tags: Record<string, string> = {}) {
  await aws.get(AutoScalingClient, region).send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      LaunchTemplate: { LaunchTemplateName: "bench", Version: "$Latest" },
      MinSize: 0,
      MaxSize: 4,
      DesiredCapacity: 0,
      AvailabilityZones: [`${region}a`],
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: false })),
    }),
  );
  const out = await aws
    .get(AutoScalingClient, region)
    .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return out.AutoScalingGroups?.[0]?.AutoScalingGroupARN ?? "";
}

/** One pair of the i-th type: the standby first, then the primary tagged with its ARN. */
const BUILDERS: [string, (aws: AwsClients, i: number) => Promise<unknown>][] = [
  [
    "sqs-queue",
    async (aws, i) => queue(aws, P, `jobs-${i}-use1`, 60, dr(await queue(aws, S, `jobs-${i}-dr`, 60))),
  ],
  [
    "sns-topic",
    async (aws, i) => topic(aws, P, `alerts-${i}-use1`, dr(await topic(aws, S, `alerts-${i}-euw1`))),
  ],
  [
    "dynamodb-table",
    async (aws, i) =>
      table(aws, P, `orders-${i}-use1`, false, list(dr(await table(aws, S, `orders-${i}-euw1`, false)))),
  ],
  [
    "cloudwatch-alarm",
    async (aws, i) => alarm(aws, P, `api-${i}-use1`, dr(await alarm(aws, S, `api-${i}-euw1`))),
  ],
  [
    "autoscaling-group",
    async (aws, i) => group(aws, P, `web-${i}-use1`, dr(await group(aws, S, `web-${i}-euw1`))),
  ],
];

async function buildFleet(aws: AwsClients, n: number): Promise<void> {
  for (const region of [P, S])
    await aws.get(EC2Client, region).send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: "bench",
        LaunchTemplateData: { ImageId: "ami-12c6146b", InstanceType: "t3.micro" },
      }),
    );
  await pool(
    Array.from({ length: n }, (_, i) => i),
    8,
    (i) => (BUILDERS[i % BUILDERS.length] as (typeof BUILDERS)[number])[1](aws, i),
  );
}

interface Figures {
  pairs: number;
  durationMs: number;
  calls: Record<string, number>;
  peakRss: number;
}

function scan(endpoint: string, types: string): Figures {
  const out = execFileSync(process.execPath, ["bench/scan-child.mjs"], {
    env: { ...process.env, ENDPOINT: endpoint, LIMITS: "off", TYPES: types, PRIMARY_REGION: P },
    maxBuffer: 64 * 2 ** 20,
  });
  return JSON.parse(out.toString()) as Figures;
}

const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

for (const n of values.pairs.map(Number)) {
  const emulator = await Emulator.start();
  try {
    const aws = await AwsClients.create({
      endpointUrl: emulator.endpoint,
      rateLimits: "off",
      credentials: () => Promise.resolve({ accessKeyId: "b", secretAccessKey: "b" }),
    });
    const started = performance.now();
    await buildFleet(aws, n);
    aws.destroy();
    console.log(
      `\nN = ${n} mixed pairs (fleet built in ${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
    const all = scan(emulator.endpoint, "");
    console.log(
      `  every type: ${all.pairs} pairs in ${(all.durationMs / 1000).toFixed(1)} s, ${(all.pairs / (all.durationMs / 1000)).toFixed(1)} pairs/s, peak RSS ${(all.peakRss / 2 ** 20).toFixed(0)} MiB, ${total(all.calls)} AWS calls (${(total(all.calls) / all.pairs / 2).toFixed(2)} per pair and side)`,
    );
    for (const [type] of BUILDERS) {
      const one = scan(emulator.endpoint, type);
      const calls = Object.entries(one.calls)
        .sort(([, a], [, b]) => b - a)
        .map(([op, c]) => `${op} ${c}`)
        .join(", ");
      console.log(
        `  ${type.padEnd(18)} ${String(one.pairs).padStart(5)} pairs, ${(total(one.calls) / one.pairs / 2).toFixed(2)} calls per pair and side (${calls})`,
      );
    }
  } finally {
    await emulator.stop();
  }
}
