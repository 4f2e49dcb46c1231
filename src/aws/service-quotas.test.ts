import {
  AccessDeniedException,
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  NoSuchResourceException,
  ServiceQuotasClient,
  type ServiceQuota,
} from "@aws-sdk/client-service-quotas";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { QUOTAS, readQuota } from "./service-quotas.js";

const sq = mockClient(ServiceQuotasClient);
afterEach(() => sq.reset());

const EIPS = QUOTAS.elasticIps;
/** A ServiceQuota as GetServiceQuota and GetAWSDefaultServiceQuota return it (Service Quotas API reference). */
const quota = (value: number): ServiceQuota => ({
  ServiceCode: "ec2",
  ServiceName: "Amazon Elastic Compute Cloud (Amazon EC2)",
  QuotaArn: `arn:aws:servicequotas:eu-west-1:123456789012:ec2/${EIPS.code}`,
  QuotaCode: EIPS.code,
  QuotaName: "EC2-VPC Elastic IPs",
  Value: value,
  Unit: "None",
  Adjustable: true,
  GlobalQuota: false,
});
const client = () =>
  new ServiceQuotasClient({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });

describe("a service quota of a region (aws-sdk-client-mock, API-shaped: moto lacks Service Quotas for ec2, rds and lambda codes)", () => {
  it("reads the account's applied value of the service and quota code asked", async () => {
    sq.on(GetServiceQuotaCommand, { ServiceCode: "ec2", QuotaCode: EIPS.code }).resolves({
      Quota: quota(20),
    });
    expect(await readQuota(client(), EIPS, "eu-west-1")).toMatchObject({
      service: "ec2",
      code: EIPS.code,
      value: 20,
      source: "applied",
    });
    expect(sq.commandCalls(GetAWSDefaultServiceQuotaCommand)).toHaveLength(0);
  });

  it("falls back to AWS's default when the account has no applied value (NoSuchResourceException)", async () => {
    sq.on(GetServiceQuotaCommand).rejects(
      new NoSuchResourceException({
        $metadata: { httpStatusCode: 400 },
        message: "The request failed because the specified resource does not exist.",
      }),
    );
    sq.on(GetAWSDefaultServiceQuotaCommand, { ServiceCode: "ec2", QuotaCode: EIPS.code }).resolves({
      Quota: quota(5),
    });
    expect(await readQuota(client(), EIPS, "eu-west-1")).toMatchObject({ value: 5, source: "default" });
  });

  it("says why when the quota cannot be read, instead of throwing", async () => {
    sq.on(GetServiceQuotaCommand).rejects(
      new AccessDeniedException({
        $metadata: { httpStatusCode: 400 },
        message: "You do not have sufficient access to perform this action.",
      }),
    );
    const reading = await readQuota(client(), EIPS, "eu-west-1");
    expect(reading.value).toBeUndefined();
    expect(reading.error).toMatch(/access denied to ServiceQuotas.GetServiceQuota in eu-west-1/);
  });
});
