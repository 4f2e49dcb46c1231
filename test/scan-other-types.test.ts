/**
 * Tagged primaries of types the readiness scan does not compare are counted per region and type,
 * in the result and the text report: a DR tag is never skipped without a word.
 */
import {
  CreateBucketCommand,
  PutBucketTaggingCommand,
  S3Client,
  type BucketLocationConstraint,
} from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { formatScanText } from "../src/report/text.js";
import { runScan } from "../src/scan/engine.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();
const [P, S] = ["us-east-2", "ap-southeast-2"];
const dr = (standby: string) => ({ enable: "true", isPrimary: "true", secondaryARN: standby });
let result: ScanResult;
let aws: AwsClients;
const scan = () =>
  runScan(aws, {
    types: RESOURCE_TYPES,
    primaryRegions: [P],
    configPairs: [],
    settings: { strategy: "pilot-light", certificateExpiryDays: 30, now: new Date() },
    suppressions: [],
    concurrency: 4,
  });

async function queue(aws: AwsClients, region: string, name: string, tags: Record<string, string> = {}) {
  const sqs = aws.get(SQSClient, region);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, tags }));
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return out.Attributes?.QueueArn ?? "";
}

async function bucket(aws: AwsClients, name: string, tags: Record<string, string>) {
  const s3 = aws.get(S3Client, P);
  await s3.send(
    new CreateBucketCommand({
      Bucket: name,
      CreateBucketConfiguration: { LocationConstraint: P as BucketLocationConstraint },
    }),
  );
  await s3.send(
    new PutBucketTaggingCommand({
      Bucket: name,
      Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
    }),
  );
}

beforeAll(async () => {
  aws = await env.clients();
  await queue(aws, P, "orders-jobs-use2", dr(await queue(aws, S, "orders-jobs-apse2")));
  await bucket(aws, "assets-use2", dr("arn:aws:s3:::assets-apse2"));
  await bucket(aws, "uploads-use2", dr("arn:aws:s3:::uploads-apse2"));
  // Tagged, but not as a primary: not counted.
  await bucket(aws, "logs-use2", { enable: "true", isPrimary: "false" });
  result = await scan();
});

describe("tagged primaries of types the scan does not compare", () => {
  it("are counted once per region and type in the result, beside the pairs it does compare", () => {
    expect(result.pairs.map((p) => p.name)).toEqual(["orders-jobs-use2"]);
    expect(result.notCompared).toEqual([{ region: P, types: { "s3:bucket": 2 } }]);
  });

  it("are said in one line of the text report", () => {
    expect(formatScanText(result)).toContain(
      `note: 2 tagged primaries in ${P} of types drctl scan does not compare: s3:bucket 2`,
    );
  });

  it("are listed afresh by each scan, even with the same clients (a warm Lambda keeps its clients)", async () => {
    await bucket(aws, "media-use2", dr("arn:aws:s3:::media-apse2"));
    expect((await scan()).notCompared).toEqual([{ region: P, types: { "s3:bucket": 3 } }]);
  });
});
