/** A request rate: tokens added per second, and how many may be spent at once. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** What drctl knows of one AWS service it calls. */
export interface AwsService {
  /** The SDK v3 client class's name (what the middleware is told: context.clientName). */
  client: string;
  /** The prefix of its IAM actions, as the Service Authorization Reference names it. */
  iamPrefix: string;
  /**
   * The request rate per account and region AWS documents (or, where it publishes none, the
   * conservative figure its throttling is commonly observed at); absent: the fallback rate.
   */
  rateLimit?: RateLimit;
  /** Operations whose IAM actions are not named as the operation is (the rest are prefix:Operation). */
  actions?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Every AWS service drctl calls, keyed by the short, stable label used in call counts, rate
 * limits (drctl.yaml `rateLimits`) and declared operations. src/aws/services.test.ts checks each
 * SDK client drctl depends on has its row, with the IAM prefix its signing name implies.
 */
export const AWS_SERVICES = {
  ELBv2: {
    client: "ElasticLoadBalancingV2Client",
    iamPrefix: "elasticloadbalancing",
    rateLimit: { perSecond: 10, burst: 40 },
  },
  EC2: { client: "EC2Client", iamPrefix: "ec2", rateLimit: { perSecond: 20, burst: 100 } },
  // Classic load balancers (the 2012 Elastic Load Balancing API): no published rate, the fallback's.
  ELB: { client: "ElasticLoadBalancingClient", iamPrefix: "elasticloadbalancing" },
  Kafka: { client: "KafkaClient", iamPrefix: "kafka" },
  // API Gateway's management API is authorized by HTTP method on the resource path: every read is apigateway:GET.
  APIGateway: {
    client: "APIGatewayClient",
    iamPrefix: "apigateway",
    actions: {
      GetRestApis: ["apigateway:GET"],
      GetStages: ["apigateway:GET"],
      GetResources: ["apigateway:GET"],
      GetDeployment: ["apigateway:GET"],
    },
  },
  ACM: { client: "ACMClient", iamPrefix: "acm", rateLimit: { perSecond: 10, burst: 20 } },
  Route53: { client: "Route53Client", iamPrefix: "route53", rateLimit: { perSecond: 5, burst: 10 } },
  RDS: { client: "RDSClient", iamPrefix: "rds", rateLimit: { perSecond: 10, burst: 40 } },
  AutoScaling: {
    client: "AutoScalingClient",
    iamPrefix: "autoscaling",
    rateLimit: { perSecond: 10, burst: 40 },
  },
  SSM: { client: "SSMClient", iamPrefix: "ssm", rateLimit: { perSecond: 40, burst: 40 } },
  // Who the caller is needs no permission.
  STS: {
    client: "STSClient",
    iamPrefix: "sts",
    rateLimit: { perSecond: 50, burst: 100 },
    actions: { GetCallerIdentity: [] },
  },
  // Items are read and written one by one inside a transaction: each kind of item write is its own action.
  DynamoDB: {
    client: "DynamoDBClient",
    iamPrefix: "dynamodb",
    rateLimit: { perSecond: 50, burst: 100 },
    actions: {
      TransactWriteItems: ["dynamodb:ConditionCheckItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    },
  },
  SESv2: { client: "SESv2Client", iamPrefix: "ses", rateLimit: { perSecond: 1, burst: 5 } },
  S3: {
    client: "S3Client",
    iamPrefix: "s3",
    rateLimit: { perSecond: 100, burst: 300 },
    actions: {
      ListBuckets: ["s3:ListAllMyBuckets"],
      ListObjectsV2: ["s3:ListBucket"],
      ListObjectVersions: ["s3:ListBucketVersions"],
      HeadBucket: ["s3:ListBucket"],
      HeadObject: ["s3:GetObject"],
      GetBucketReplication: ["s3:GetReplicationConfiguration"],
      PutPublicAccessBlock: ["s3:PutBucketPublicAccessBlock"],
      // drctl deletes only versions (its canary markers, each version of them).
      DeleteObject: ["s3:DeleteObjectVersion"],
    },
  },
  SNS: { client: "SNSClient", iamPrefix: "sns" },
  SQS: { client: "SQSClient", iamPrefix: "sqs" },
  CloudWatch: {
    client: "CloudWatchClient",
    iamPrefix: "cloudwatch",
    rateLimit: { perSecond: 50, burst: 50 },
  },
  IAM: { client: "IAMClient", iamPrefix: "iam" },
  Lambda: { client: "LambdaClient", iamPrefix: "lambda", actions: { Invoke: ["lambda:InvokeFunction"] } },
  SFN: { client: "SFNClient", iamPrefix: "states" },
  Backup: { client: "BackupClient", iamPrefix: "backup" },
  GlobalAccelerator: { client: "GlobalAcceleratorClient", iamPrefix: "globalaccelerator" },
  ResourceGroupsTaggingAPI: {
    client: "ResourceGroupsTaggingAPIClient",
    iamPrefix: "tag",
    rateLimit: { perSecond: 5, burst: 10 },
  },
  EFS: { client: "EFSClient", iamPrefix: "elasticfilesystem" },
  ElastiCache: { client: "ElastiCacheClient", iamPrefix: "elasticache" },
  Fis: { client: "FisClient", iamPrefix: "fis" },
  KMS: { client: "KMSClient", iamPrefix: "kms" },
  ServiceQuotas: { client: "ServiceQuotasClient", iamPrefix: "servicequotas" },
  ApplicationAutoScaling: { client: "ApplicationAutoScalingClient", iamPrefix: "application-autoscaling" },
  // LookupEvents: AWS allows 2 requests per second per account and region (the other calls are not made).
  CloudTrail: { client: "CloudTrailClient", iamPrefix: "cloudtrail", rateLimit: { perSecond: 2, burst: 2 } },
  // AWS Config publishes no rate for its reads: the fallback's.
  Config: { client: "ConfigServiceClient", iamPrefix: "config" },
} as const satisfies Readonly<Record<string, AwsService>>;

export type ServiceLabel = keyof typeof AWS_SERVICES;

const BY_CLIENT: ReadonlyMap<string, ServiceLabel> = new Map(
  Object.entries(AWS_SERVICES).map(([label, s]) => [s.client, label as ServiceLabel]),
);

/** The label of a client class by its name; a client not in the table keeps its name less "Client". */
export function serviceLabel(clientName: string): string {
  return BY_CLIENT.get(clientName) ?? clientName.replace(/Client$/, "");
}

/** The service a label names, if drctl knows it. */
export function serviceOf(label: string): AwsService | undefined {
  return Object.hasOwn(AWS_SERVICES, label) ? AWS_SERVICES[label as ServiceLabel] : undefined;
}

/** One AWS API operation drctl may call, e.g. { service: "EC2", operation: "DescribeInstances" }. */
export interface AwsOperation {
  service: ServiceLabel;
  operation: string;
}

/** Operations of one service: ops("EC2", "DescribeInstances", "StopInstances"). */
export function ops(service: ServiceLabel, ...operations: string[]): AwsOperation[] {
  return operations.map((operation) => ({ service, operation }));
}

/** The IAM actions one call needs ("EC2", "DescribeInstances" -> ["ec2:DescribeInstances"]). */
export function iamActionsOf(op: AwsOperation): string[] {
  const service: AwsService = AWS_SERVICES[op.service];
  return [...(service.actions?.[op.operation] ?? [`${service.iamPrefix}:${op.operation}`])];
}

/** The IAM actions of a set of operations, each once, sorted. */
export function iamActions(operations: readonly AwsOperation[]): string[] {
  return [...new Set(operations.flatMap(iamActionsOf))].sort();
}

/** The IAM actions of a set of operations, each once, in the order they are declared. */
export function iamActionsInOrder(operations: readonly AwsOperation[]): string[] {
  return [...new Set(operations.flatMap(iamActionsOf))];
}

/**
 * The calls (counted as "Service.Operation", see CallCounter) that are not among the declared
 * operations: each one a read or change the declaring module forgot to list.
 */
export function undeclaredCalls(calls: Iterable<string>, declared: readonly AwsOperation[]): string[] {
  const known = new Set(declared.map(operationKey));
  return [...new Set(calls)].filter((call) => !known.has(call)).sort();
}

/** The key the call counter records an operation under ("EC2.DescribeInstances"). */
export function operationKey(op: AwsOperation): string {
  return `${op.service}.${op.operation}`;
}
