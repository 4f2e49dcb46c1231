/**
 * Workarounds for bugs of the emulator (moto 5.2), applied between the SDK and moto by the
 * test proxy. Product code is written for AWS and never sees these.
 */
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CreateTagsCommand, DescribeImagesCommand, EC2Client } from "@aws-sdk/client-ec2";
import type { AwsClients } from "../../src/aws/client-factory.js";
import { FaultProxy, NO_FAULTS, type Forwarded, type Interceptor } from "./fault-proxy.js";

/**
 * moto's PromoteReadReplica leaves ReadReplicaSourceDBInstanceIdentifier set on the promoted
 * instance; AWS clears it. Remember which instances were promoted and drop the field from their
 * descriptions, as AWS would report them.
 */
export function clearPromotedReplicaSource(): (requestBody: string, responseBody: string) => string {
  const promoted = new Set<string>();
  return (request, response) => {
    const params = new URLSearchParams(request);
    if (params.get("Action") === "PromoteReadReplica") promoted.add(params.get("DBInstanceIdentifier") ?? "");
    if (params.get("Action") !== "DescribeDBInstances" || promoted.size === 0) return response;
    return response.replace(/<DBInstance>[\s\S]*?<\/DBInstance>/g, (block) => {
      const id = /<DBInstanceIdentifier>([^<]*)<\/DBInstanceIdentifier>/.exec(block)?.[1] ?? "";
      return promoted.has(id)
        ? block.replace(
            /<ReadReplicaSourceDBInstanceIdentifier>[^<]*<\/ReadReplicaSourceDBInstanceIdentifier>/,
            "",
          )
        : block;
    });
  };
}

/**
 * moto writes an MSK cluster's creationTime without a time zone ("2026-12-07T17:22:39.202783"),
 * which is not the RFC 3339 date-time AWS sends and the SDK requires: give it AWS's form.
 */
export const mskCreationTimeRfc3339 = (_request: string, response: string, info: { path: string }) =>
  info.path.startsWith("/api/v2/clusters")
    ? response.replace(
        /"creationTime":\s*"(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d(?:\.\d+)?)"/g,
        '"creationTime": "$1T$2Z"',
      )
    : response;

/** EC2's query parameters of one tag specification: its resource type and tags. */
interface TagSpec {
  resourceType: string;
  tags: { Key: string; Value: string }[];
}

/** TagSpecification.N.ResourceType / .Tag.M.Key / .Tag.M.Value of an EC2 query request. */
function tagSpecs(params: URLSearchParams): TagSpec[] {
  const specs = new Map<string, TagSpec>();
  for (const [key, value] of params) {
    const m = /^TagSpecification\.(\d+)\.(ResourceType|Tag\.(\d+)\.(Key|Value))$/.exec(key);
    if (!m) continue;
    const spec = specs.get(m[1] ?? "") ?? { resourceType: "", tags: [] };
    specs.set(m[1] ?? "", spec);
    if (m[2] === "ResourceType") spec.resourceType = value;
    else {
      const tag = (spec.tags[Number(m[3]) - 1] ??= { Key: "", Value: "" });
      tag[m[4] === "Key" ? "Key" : "Value"] = value;
    }
  }
  return [...specs.values()];
}

/** The request without its tag specifications: moto then creates what it can. */
function withoutTagSpecs(params: URLSearchParams): string {
  const kept = new URLSearchParams();
  for (const [key, value] of params) if (!key.startsWith("TagSpecification.")) kept.append(key, value);
  return kept.toString();
}

/**
 * moto 5.2's image calls, made to behave as AWS's do:
 * - CreateImage raises NotImplementedError (HTTP 500) on a tag specification for snapshots; AWS
 *   tags the image's snapshots. The request goes to moto without it, and the snapshots are tagged.
 * - CopyImage ignores TagSpecifications (AWS tags the copy and its snapshots) and ClientToken (AWS
 *   answers a repeat of the same token with the copy it already started, instead of a second one).
 * - Every image is created "now", so pruning by age could not be tried: `backdate(imageId, date)`
 *   makes DescribeImages report the image as made at that date (its CreationDate), as an image
 *   made that day would be. This is how tests and the demo have images of earlier days.
 * - Every image is available at once; `holdPending(n)` makes the next one pending for n answers.
 */
export class MotoImages {
  private readonly tokens = new Map<string, Forwarded>();
  private readonly dates = new Map<string, string>();
  /** Images reported pending for so many more DescribeImages answers (AWS takes minutes to make one). */
  private readonly pending = new Map<string, number>();
  private pendingNext = 0;

  /**
   * The next image made through the proxy (CreateImage or CopyImage) is reported pending in its
   * next `answers` DescribeImages answers, then available: moto makes images available at once.
   */
  holdPending(answers: number): void {
    this.pendingNext = answers;
  }

  constructor(private readonly endpoint: string) {}

  /** DescribeImages reports `imageId` as created at `date` from now on. */
  backdate(imageId: string, date: Date): void {
    this.dates.set(imageId, date.toISOString().replace(/\.\d+Z$/, ".000Z"));
  }

  private ec2(region: string): EC2Client {
    return new EC2Client({
      region,
      endpoint: this.endpoint,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
  }

  /** Tags an image and (per spec) its snapshots, as AWS does on create. */
  private async tag(region: string, imageId: string, specs: TagSpec[]): Promise<void> {
    const ec2 = this.ec2(region);
    try {
      const image = (await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images?.[0];
      const snapshots = (image?.BlockDeviceMappings ?? []).flatMap((b) =>
        b.Ebs?.SnapshotId ? [b.Ebs.SnapshotId] : [],
      );
      for (const spec of specs) {
        const resources =
          spec.resourceType === "snapshot" ? snapshots : spec.resourceType === "image" ? [imageId] : [];
        if (resources.length && spec.tags.length)
          await ec2.send(new CreateTagsCommand({ Resources: resources, Tags: spec.tags }));
      }
    } finally {
      ec2.destroy();
    }
  }

  readonly intercept: Interceptor = async (request, forward) => {
    const params = new URLSearchParams(request.body);
    const action = params.get("Action");
    if (action !== "CreateImage" && action !== "CopyImage") return undefined;
    const token = action === "CopyImage" ? params.get("ClientToken") : null;
    const key = `${request.region}|${token ?? ""}`;
    const earlier = token ? this.tokens.get(key) : undefined;
    if (earlier) return earlier;
    const specs = tagSpecs(params);
    const answer = await forward(withoutTagSpecs(params));
    const imageId = /<imageId>([^<]+)<\/imageId>/.exec(answer.body)?.[1];
    if (answer.status === 200 && imageId) {
      if (this.pendingNext > 0) this.pending.set(imageId, this.pendingNext);
      this.pendingNext = 0;
      await this.tag(request.region, imageId, specs);
      if (token) this.tokens.set(key, answer);
    }
    return answer;
  };

  readonly rewrite = (request: string, response: string): string => {
    if (
      (this.dates.size === 0 && this.pending.size === 0) ||
      new URLSearchParams(request).get("Action") !== "DescribeImages"
    )
      return response;
    // moto's layout of an image: <item><blockDeviceMapping>...<imageId>...<creationDate>...<imageType>.
    return response.replace(/<item><blockDeviceMapping>[\s\S]*?<imageType>/g, (item) => {
      const id = /<imageId>([^<]+)<\/imageId>/.exec(item)?.[1] ?? "";
      const date = this.dates.get(id);
      let out = date
        ? item.replace(/<creationDate>[^<]*<\/creationDate>/, `<creationDate>${date}</creationDate>`)
        : item;
      const left = this.pending.get(id) ?? 0;
      if (left > 0) {
        this.pending.set(id, left - 1);
        out = out.replace(/<imageState>available<\/imageState>/, "<imageState>pending</imageState>");
      }
      return out;
    });
  };
}

/**
 * DynamoDB decides a conditional write atomically: of two racing claims under
 * attribute_not_exists, one wins and the other fails its condition. moto's server answers on
 * threads and checks a condition, then writes, with nothing held between, so under load two racing
 * claims can both succeed. DynamoDB's conditional writes go through here one at a time, as DynamoDB
 * decides them; every other request passes untouched.
 */
export function atomicConditionalWrites(): Interceptor {
  let previous: Promise<unknown> = Promise.resolve();
  return (request, forward) => {
    const conditional =
      request.target.startsWith("DynamoDB_") &&
      (request.body.includes('"ConditionExpression"') || request.body.includes('"TransactItems"'));
    if (!conditional) return Promise.resolve(undefined);
    const turn = previous.then(() => forward(request.body));
    previous = turn.catch(() => undefined);
    return turn;
  };
}

/** A proxy in front of the emulator that applies the workarounds and injects no faults. */
export async function workaroundProxy(endpoint: string): Promise<FaultProxy & { images: MotoImages }> {
  const images = new MotoImages(endpoint);
  const replicas = clearPromotedReplicaSource();
  const conditionalWrites = atomicConditionalWrites();
  const proxy = await FaultProxy.start(endpoint, {
    ...NO_FAULTS,
    rewrite: (request, response) => images.rewrite(request, replicas(request, response)),
    intercept: async (request, forward) =>
      (await conditionalWrites(request, forward)) ??
      (await images.intercept(request, forward)) ??
      noProvisionedConcurrency(request, forward),
  });
  return Object.assign(proxy, { images });
}

/**
 * The emulator publishes no RDS metrics: record a replica's ReplicaLag as CloudWatch would
 * (`minutesAgo` back, inside the window the promote step reads).
 */
export async function recordReplicaLag(
  aws: AwsClients,
  region: string,
  instance: string,
  seconds: number,
  minutesAgo = 1,
): Promise<void> {
  await aws.get(CloudWatchClient, region).send(
    new PutMetricDataCommand({
      Namespace: "AWS/RDS",
      MetricData: [
        {
          MetricName: "ReplicaLag",
          Dimensions: [{ Name: "DBInstanceIdentifier", Value: instance }],
          Value: seconds,
          Unit: "Seconds",
          Timestamp: new Date(Date.now() - minutesAgo * 60_000),
        },
      ],
    }),
  );
}

/**
 * moto 5.2 has no provisioned concurrency API: ListProvisionedConcurrencyConfigs (GET
 * /2019-09-30/functions/NAME/provisioned-concurrency?List=ALL) is answered 404 with an HTML page.
 * Every function moto holds has none, and AWS lists none for such a function: an empty list.
 */
export const noProvisionedConcurrency: Interceptor = ({ method, path }) =>
  Promise.resolve(
    method === "GET" && /^\/2019-09-30\/functions\/[^/]+\/provisioned-concurrency\?/.test(path)
      ? {
          status: 200,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ ProvisionedConcurrencyConfigs: [] }),
        }
      : undefined,
  );
