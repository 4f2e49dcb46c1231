import { describe, expect, it } from "vitest";
import { changeOfCloudTrailEvent, changeOfEventBridgeEvent, resourcesIn } from "./cloudtrail-event.js";

const ACCOUNT = "123456789012";
const LB = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/web/50dc6c495c0c9188`;
const LISTENER = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const RULE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
const TG = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/web-tg/73e2d6bc24d8a067`;
const CERT = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/12345678-1234-1234-1234-123456789012`;

/** A record as CloudTrail writes it: who called (never a resource of the change), what, and how it went. */
function record(eventSource: string, eventName: string, fields: Record<string, unknown>) {
  return {
    eventVersion: "1.09",
    userIdentity: {
      type: "AssumedRole",
      principalId: "AROAEXAMPLE:alice",
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice`,
      accountId: ACCOUNT,
      sessionContext: {
        sessionIssuer: { type: "Role", arn: `arn:aws:iam::${ACCOUNT}:role/Admin`, userName: "Admin" },
      },
    },
    eventTime: "2026-12-07T10:15:30Z",
    eventSource,
    eventName,
    awsRegion: "us-east-1",
    sourceIPAddress: "203.0.113.10",
    userAgent: "aws-cli/2.15.0",
    requestParameters: null,
    responseElements: null,
    requestID: "6a1e3b2c-0000-4000-8000-000000000001",
    eventID: "0a1b2c3d-0000-4000-8000-000000000002",
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: "Management",
    ...fields,
  };
}

describe("a CloudTrail record as a change", () => {
  it("ModifyListener: the call, its time, region, account and the ARNs of its request and response", () => {
    const change = changeOfCloudTrailEvent(
      record("elasticloadbalancing.amazonaws.com", "ModifyListener", {
        requestParameters: {
          listenerArn: LISTENER,
          port: 443,
          protocol: "HTTPS",
          sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
          certificates: [{ certificateArn: CERT }],
          defaultActions: [{ type: "forward", targetGroupArn: TG }],
        },
        responseElements: {
          listeners: [{ listenerArn: LISTENER, loadBalancerArn: LB, port: 443, protocol: "HTTPS" }],
        },
      }),
      "eu-west-1",
    );
    expect(change).toEqual({
      source: "cloudtrail",
      what: "ModifyListener",
      at: "2026-12-07T10:15:30.000Z",
      region: "us-east-1",
      account: ACCOUNT,
      resources: [LISTENER, CERT, TG, LB],
    });
  });

  it("CreateRule: the listener it hangs off and the new rule's ARN", () => {
    const change = changeOfCloudTrailEvent(
      record("elasticloadbalancing.amazonaws.com", "CreateRule", {
        requestParameters: {
          listenerArn: LISTENER,
          priority: 10,
          conditions: [{ field: "path-pattern", values: ["/api/*"] }],
          actions: [{ type: "forward", targetGroupArn: TG }],
        },
        responseElements: { rules: [{ ruleArn: RULE, priority: "10", isDefault: false }] },
      }),
      "us-east-1",
    );
    expect(change?.resources).toEqual([LISTENER, TG, RULE]);
  });

  it("RegisterTargets: the target group and each target's id", () => {
    const change = changeOfCloudTrailEvent(
      record("elasticloadbalancing.amazonaws.com", "RegisterTargets", {
        requestParameters: {
          targetGroupArn: TG,
          targets: [{ id: "i-0abcdef1234567890", port: 80 }, { id: "i-0123456789abcdef0" }],
        },
      }),
      "us-east-1",
    );
    expect(change?.resources).toEqual([TG, "i-0abcdef1234567890", "i-0123456789abcdef0"]);
  });

  it("AuthorizeSecurityGroupIngress: the group and its new rule, not the owner's account or the request id", () => {
    const change = changeOfCloudTrailEvent(
      record("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", {
        requestParameters: {
          groupId: "sg-0a1b2c3d4e5f67890",
          ipPermissions: {
            items: [
              {
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                groups: { items: [{ groupId: "sg-0fedcba9876543210" }] },
                ipRanges: { items: [{ cidrIp: "10.0.0.0/16" }] },
              },
            ],
          },
        },
        responseElements: {
          requestId: "c1d2e3f4-0000-4000-8000-000000000003",
          _return: true,
          securityGroupRuleSet: {
            items: [
              {
                groupOwnerId: ACCOUNT,
                groupId: "sg-0a1b2c3d4e5f67890",
                securityGroupRuleId: "sgr-0123456789abcdef0",
                isEgress: false,
              },
            ],
          },
        },
      }),
      "us-east-1",
    );
    expect(change?.resources).toEqual([
      "sg-0a1b2c3d4e5f67890",
      "sg-0fedcba9876543210",
      "sgr-0123456789abcdef0",
    ]);
  });

  it("ChangeResourceRecordSets: the hosted zone without its prefix, the record's name and its health check", () => {
    const change = changeOfCloudTrailEvent(
      record("route53.amazonaws.com", "ChangeResourceRecordSets", {
        requestParameters: {
          hostedZoneId: "/hostedzone/Z0123456789ABCDEFGHIJ",
          changeBatch: {
            changes: [
              {
                action: "UPSERT",
                resourceRecordSet: {
                  name: "api.example.com.",
                  type: "A",
                  setIdentifier: "primary",
                  failover: "PRIMARY",
                  healthCheckId: "abcdef12-3456-7890-abcd-ef1234567890",
                  aliasTarget: {
                    hostedZoneId: "Z35SXDOTRQ7X7K",
                    dNSName: "dualstack.web-123.us-east-1.elb.amazonaws.com.",
                    evaluateTargetHealth: true,
                  },
                },
              },
            ],
          },
        },
        responseElements: {
          changeInfo: {
            id: "/change/C2682N5HXP0BZ4",
            status: "PENDING",
            submittedAt: "Dec 7, 2026 10:15:30 AM",
          },
        },
      }),
      "us-east-1",
    );
    expect(change?.resources).toEqual([
      "Z0123456789ABCDEFGHIJ",
      "api.example.com.",
      "abcdef12-3456-7890-abcd-ef1234567890",
      "Z35SXDOTRQ7X7K",
      "dualstack.web-123.us-east-1.elb.amazonaws.com.",
    ]);
  });

  it("ImportCertificate and AddListenerCertificates: the certificate, and the listener it was added to", () => {
    const imported = changeOfCloudTrailEvent(
      record("acm.amazonaws.com", "ImportCertificate", {
        requestParameters: {
          certificate: "HIDDEN_DUE_TO_SECURITY_REASONS",
          privateKey: "HIDDEN_DUE_TO_SECURITY_REASONS",
          certificateArn: CERT,
        },
        responseElements: { certificateArn: CERT },
      }),
      "us-east-1",
    );
    expect(imported?.resources).toEqual([CERT]);
    const added = changeOfCloudTrailEvent(
      record("elasticloadbalancing.amazonaws.com", "AddListenerCertificates", {
        requestParameters: { listenerArn: LISTENER, certificates: [{ certificateArn: CERT }] },
        responseElements: { certificates: [{ certificateArn: CERT, isDefault: false }] },
      }),
      "us-east-1",
    );
    expect(added?.resources).toEqual([LISTENER, CERT]);
  });

  it("CreateTags, AddTags and TagResource: the tagged resources, not the tags", () => {
    const ec2 = changeOfCloudTrailEvent(
      record("ec2.amazonaws.com", "CreateTags", {
        requestParameters: {
          resourcesSet: {
            items: [{ resourceId: "vpc-0a1b2c3d4e5f67890" }, { resourceId: "subnet-0123abcd" }],
          },
          tagSet: { items: [{ key: "dr:pair", value: "orders" }] },
        },
        responseElements: { requestId: "c1d2e3f4-0000-4000-8000-000000000004", _return: true },
      }),
      "us-east-1",
    );
    expect(ec2?.resources).toEqual(["vpc-0a1b2c3d4e5f67890", "subnet-0123abcd"]);
    const elb = changeOfCloudTrailEvent(
      record("elasticloadbalancing.amazonaws.com", "AddTags", {
        requestParameters: { resourceArns: [LB, TG], tags: [{ key: "dr:pair", value: "web" }] },
      }),
      "us-east-1",
    );
    expect(elb?.resources).toEqual([LB, TG]);
    const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:orders`;
    const lambda = changeOfCloudTrailEvent(
      record("lambda.amazonaws.com", "TagResource20170331v2", {
        requestParameters: { resource: fn, tags: { "dr:pair": "orders" } },
      }),
      "us-east-1",
    );
    expect(lambda?.resources).toEqual([fn]);
  });

  it("ModifyDBInstance: the instance's identifier and ARN, its security groups and subnets", () => {
    const dbArn = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-db`;
    const change = changeOfCloudTrailEvent(
      record("rds.amazonaws.com", "ModifyDBInstance", {
        requestParameters: {
          dBInstanceIdentifier: "orders-db",
          backupRetentionPeriod: 7,
          applyImmediately: true,
        },
        responseElements: {
          dBInstanceIdentifier: "orders-db",
          dBInstanceClass: "db.r6g.large",
          engine: "postgres",
          dBInstanceArn: dbArn,
          vpcSecurityGroups: [{ vpcSecurityGroupId: "sg-0a1b2c3d4e5f67890", status: "active" }],
          dBSubnetGroup: {
            dBSubnetGroupName: "orders-subnets",
            vpcId: "vpc-0a1b2c3d4e5f67890",
            subnets: [{ subnetIdentifier: "subnet-0123abcd", subnetStatus: "Active" }],
          },
        },
      }),
      "us-east-1",
    );
    expect(change?.resources).toEqual([
      "orders-db",
      dbArn,
      "sg-0a1b2c3d4e5f67890",
      "orders-subnets",
      "vpc-0a1b2c3d4e5f67890",
      "subnet-0123abcd",
    ]);
  });

  it("UpdateFunctionConfiguration: the function's name and ARN, its role and subnets", () => {
    const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:orders`;
    const role = `arn:aws:iam::${ACCOUNT}:role/orders-fn`;
    const change = changeOfCloudTrailEvent(
      record("lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", {
        requestParameters: { functionName: "orders", timeout: 60 },
        responseElements: {
          functionName: "orders",
          functionArn: fn,
          runtime: "nodejs20.x",
          role,
          handler: "index.handler",
          timeout: 60,
          vpcConfig: { subnetIds: ["subnet-0123abcd"], securityGroupIds: ["sg-0a1b2c3d4e5f67890"] },
        },
      }),
      "us-east-1",
    );
    expect(change?.what).toBe("UpdateFunctionConfiguration20150331v2");
    expect(change?.resources).toEqual(["orders", fn, role, "subnet-0123abcd", "sg-0a1b2c3d4e5f67890"]);
  });

  it("SetQueueAttributes: the queue's URL and its name", () => {
    const change = changeOfCloudTrailEvent(
      record("sqs.amazonaws.com", "SetQueueAttributes", {
        requestParameters: {
          queueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/orders-queue`,
          attributes: { VisibilityTimeout: "60" },
        },
      }),
      "us-east-1",
    );
    expect(change?.resources).toEqual([
      `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/orders-queue`,
      "orders-queue",
    ]);
  });

  it("keeps resources[].ARN of the record", () => {
    const change = changeOfCloudTrailEvent(
      record("elasticloadbalancing.amazonaws.com", "DeleteRule", {
        requestParameters: { ruleArn: RULE },
        resources: [{ accountId: ACCOUNT, type: "AWS::ElasticLoadBalancingV2::Listener", ARN: LISTENER }],
      }),
      "us-east-1",
    );
    expect(change?.resources).toEqual([LISTENER, RULE]);
  });

  it("a read (readOnly, or a Describe/Get/List call CloudTrail did not mark) is no change", () => {
    expect(
      changeOfCloudTrailEvent(
        record("elasticloadbalancing.amazonaws.com", "DescribeListeners", {
          readOnly: true,
          requestParameters: { loadBalancerArn: LB },
        }),
        "us-east-1",
      ),
    ).toBeUndefined();
    for (const name of ["DescribeRules", "GetQueueAttributes", "ListTagsForResource", "BatchGetItem"])
      expect(
        changeOfCloudTrailEvent(record("x.amazonaws.com", name, { readOnly: false }), "us-east-1"),
      ).toBeUndefined();
  });

  it("a failed call is no change", () => {
    expect(
      changeOfCloudTrailEvent(
        record("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", {
          errorCode: "Client.UnauthorizedOperation",
          errorMessage: "You are not authorized to perform this operation.",
          requestParameters: { groupId: "sg-0a1b2c3d4e5f67890" },
        }),
        "us-east-1",
      ),
    ).toBeUndefined();
  });

  it("never throws on odd input: no name or time gives nothing, an odd region the fallback", () => {
    for (const odd of [
      null,
      42,
      "x",
      [],
      {},
      { eventName: "ModifyListener" },
      { eventTime: "2026-12-07T10:00:00Z" },
    ])
      expect(changeOfCloudTrailEvent(odd, "us-east-1")).toBeUndefined();
    expect(
      changeOfCloudTrailEvent({ eventName: "ModifyListener", eventTime: "not a time" }, "us-east-1"),
    ).toBeUndefined();
    const change = changeOfCloudTrailEvent(
      {
        eventName: "ModifyListener",
        eventTime: "2026-12-07T10:00:00Z",
        awsRegion: 7,
        requestParameters: "odd",
      },
      "eu-west-1",
    );
    expect(change).toEqual({
      source: "cloudtrail",
      what: "ModifyListener",
      at: "2026-12-07T10:00:00.000Z",
      region: "eu-west-1",
      resources: [],
    });
  });

  it("never takes what CloudTrail redacted, or an account id, for a name", () => {
    expect(
      resourcesIn({ secretName: "HIDDEN_DUE_TO_SECURITY_REASONS", ownerId: ACCOUNT, userId: ACCOUNT }),
    ).toEqual([]);
  });

  it("walks at most 8 levels deep and 200 strings", () => {
    let deep: unknown = "sg-0123456789abcdef0";
    for (let i = 0; i < 20; i++) deep = { nested: deep };
    expect(resourcesIn(deep)).toEqual([]);
    const wide = Array.from({ length: 500 }, (_, i) => `vol-${i.toString(16).padStart(17, "0")}`);
    expect(resourcesIn(wide)).toHaveLength(200);
    const cyclic: Record<string, unknown> = { groupId: "sg-0123456789abcdef0" };
    cyclic["self"] = cyclic;
    expect(resourcesIn(cyclic)).toEqual(["sg-0123456789abcdef0"]);
  });
});

describe("an EventBridge event as a change", () => {
  const envelope = (detailType: string, detail: unknown, resources: string[] = []) => ({
    version: "0",
    id: "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": detailType,
    source: "aws.elasticloadbalancing",
    account: ACCOUNT,
    time: "2026-12-07T10:15:31Z",
    region: "us-east-1",
    resources,
    detail,
  });

  it("an API call delivered from CloudTrail is that call, learnt from the event rule", () => {
    const change = changeOfEventBridgeEvent(
      envelope(
        "AWS API Call via CloudTrail",
        record("elasticloadbalancing.amazonaws.com", "ModifyRule", { requestParameters: { ruleArn: RULE } }),
      ),
    );
    expect(change).toEqual({
      source: "event-rule",
      what: "ModifyRule",
      at: "2026-12-07T10:15:30.000Z",
      region: "us-east-1",
      account: ACCOUNT,
      resources: [RULE],
    });
  });

  it("an alarm's state change names the alarm by ARN and name, at the event's time", () => {
    const alarm = `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:orders-5xx`;
    const change = changeOfEventBridgeEvent(
      envelope(
        "CloudWatch Alarm State Change",
        {
          alarmName: "orders-5xx",
          state: { value: "ALARM", reason: "Threshold Crossed", timestamp: "2026-12-07T10:15:29.000+0000" },
          previousState: { value: "OK", timestamp: "2026-12-06T08:00:00.000+0000" },
          configuration: { metrics: [] },
        },
        [alarm],
      ),
    );
    expect(change).toEqual({
      source: "event-rule",
      what: "AlarmStateChange",
      at: "2026-12-07T10:15:31.000Z",
      region: "us-east-1",
      account: ACCOUNT,
      resources: [alarm, "orders-5xx"],
    });
  });

  it("a certificate ACM renewed, rotated, revoked or let expire names the certificate; its daily expiry notice is no change", () => {
    const cert = `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/0b1c2d3e-aaaa-bbbb-cccc-111122223333`;
    const acm = (kind: string) => ({
      ...envelope(kind, { CommonName: "api.example.org" }, [cert]),
      source: "aws.acm",
      region: "eu-west-1",
    });
    expect(changeOfEventBridgeEvent(acm("ACM Certificate Available"))).toEqual({
      source: "event-rule",
      what: "ACMCertificateAvailable",
      at: "2026-12-07T10:15:31.000Z",
      region: "eu-west-1",
      account: ACCOUNT,
      resources: [cert],
    });
    for (const kind of ["ACM Certificate Rotated", "ACM Certificate Revoked", "ACM Certificate Expired"])
      expect(changeOfEventBridgeEvent(acm(kind))?.resources).toEqual([cert]);
    expect(changeOfEventBridgeEvent(acm("ACM Certificate Approaching Expiration"))).toBeUndefined();
    // Another source using the same words is not ACM's.
    expect(
      changeOfEventBridgeEvent({ ...acm("ACM Certificate Available"), source: "custom.app" }),
    ).toBeUndefined();
    // An event that names nothing changes nothing.
    expect(changeOfEventBridgeEvent({ ...acm("ACM Certificate Available"), resources: [] })).toBeUndefined();
  });

  it("any other event, a read delivered by the rule, or no event at all is no change", () => {
    expect(changeOfEventBridgeEvent(envelope("EC2 Instance State-change Notification", {}))).toBeUndefined();
    expect(
      changeOfEventBridgeEvent(
        envelope(
          "AWS API Call via CloudTrail",
          record("ec2.amazonaws.com", "DescribeVpcs", { readOnly: true }),
        ),
      ),
    ).toBeUndefined();
    for (const odd of [undefined, null, "x", { "detail-type": "AWS API Call via CloudTrail" }])
      expect(changeOfEventBridgeEvent(odd)).toBeUndefined();
  });
});
