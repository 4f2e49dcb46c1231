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
import { quotaOf, readQuota } from "./quota.js";

const sq = mockClient(ServiceQuotasClient);
afterEach(() => sq.reset());

const CODE = "L-1216C47A";
/** A ServiceQuota as GetServiceQuota and GetAWSDefaultServiceQuota return it (Service Quotas API reference). */
const quota = (value: number): ServiceQuota => ({
  ServiceCode: "ec2",
  ServiceName: "Amazon Elastic Compute Cloud (Amazon EC2)",
  QuotaArn: `arn:aws:servicequotas:eu-west-1:123456789012:ec2/${CODE}`,
  QuotaCode: CODE,
  QuotaName: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
  Value: value,
  Unit: "None",
  Adjustable: true,
  GlobalQuota: false,
});
const client = () =>
  new ServiceQuotasClient({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });

describe("the On-Demand vCPU quota of a region (aws-sdk-client-mock, API-shaped: moto lacks Service Quotas)", () => {
  it("reads the account's applied value", async () => {
    sq.on(GetServiceQuotaCommand, { ServiceCode: "ec2", QuotaCode: CODE }).resolves({ Quota: quota(640) });
    expect(await readQuota(client(), CODE, "eu-west-1")).toMatchObject({
      code: CODE,
      value: 640,
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
    sq.on(GetAWSDefaultServiceQuotaCommand, { ServiceCode: "ec2", QuotaCode: CODE }).resolves({
      Quota: quota(5),
    });
    expect(await readQuota(client(), CODE, "eu-west-1")).toMatchObject({ value: 5, source: "default" });
  });

  it("says why when the quota cannot be read, instead of throwing", async () => {
    sq.on(GetServiceQuotaCommand).rejects(
      new AccessDeniedException({
        $metadata: { httpStatusCode: 400 },
        message: "You do not have sufficient access to perform this action.",
      }),
    );
    const reading = await readQuota(client(), CODE, "eu-west-1");
    expect(reading.value).toBeUndefined();
    expect(reading.error).toMatch(/access denied to ServiceQuotas.GetServiceQuota in eu-west-1/);
  });
});

describe("which quota an instance type counts against", () => {
  it.each([
    ["t3.micro", "L-1216C47A"],
    ["m5.large", "L-1216C47A"],
    ["c7gn.xlarge", "L-1216C47A"],
    ["g5.xlarge", "L-DB2E81BA"],
    ["p4d.24xlarge", "L-417A185B"],
    ["inf2.xlarge", "L-1945791B"],
    ["x2idn.16xlarge", "L-7295265B"],
  ])("%s -> %s", (type, code) => expect(quotaOf(type)?.code).toBe(code));

  it("knows none for families it has no quota code for", () => {
    expect(quotaOf("u-6tb1.metal")).toBeUndefined();
    expect(quotaOf("(chosen by attributes)")).toBeUndefined();
  });
});
