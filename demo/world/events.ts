/**
 * The EventBridge event CloudTrail sends for a management API call, as AWS shapes it: what the
 * deployment's change rule receives after a change to the world (tests and benchmarks send these).
 */
const EVENT_SOURCE: Record<string, string> = {
  elasticloadbalancing: "elasticloadbalancing.amazonaws.com",
  ec2: "ec2.amazonaws.com",
  route53: "route53.amazonaws.com",
};

export interface ApiCall {
  service: "elasticloadbalancing" | "ec2" | "route53";
  region: string;
  account: string;
  eventName: string;
  time: Date;
  requestParameters: Record<string, unknown>;
  responseElements?: Record<string, unknown> | null;
}

export function apiCallEvent(call: ApiCall): Record<string, unknown> {
  const time = call.time.toISOString().replace(/\.\d+Z$/, "Z");
  const id = () => crypto.randomUUID();
  return {
    version: "0",
    id: id(),
    "detail-type": "AWS API Call via CloudTrail",
    source: `aws.${call.service}`,
    account: call.account,
    time,
    region: call.region,
    resources: [],
    detail: {
      eventVersion: "1.09",
      userIdentity: { type: "AssumedRole", accountId: call.account },
      eventTime: time,
      eventSource: EVENT_SOURCE[call.service],
      eventName: call.eventName,
      awsRegion: call.region,
      sourceIPAddress: "203.0.113.7",
      userAgent: "aws-cli/2.15.0",
      requestParameters: call.requestParameters,
      responseElements: call.responseElements ?? null,
      requestID: id(),
      eventID: id(),
      readOnly: false,
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: call.account,
      eventCategory: "Management",
    },
  };
}
