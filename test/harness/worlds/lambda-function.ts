/** Lambda function pairs: twins reading their own region's table, and a planted difference. */
import { CreateFunctionCommand, LambdaClient, type CreateFunctionRequest } from "@aws-sdk/client-lambda";
import type { AwsClients } from "../../../src/aws/client-factory.js";
import { drTags, required, twinNames, type BuiltPairs, type PairRegions } from "./common.js";

/** An empty zip archive: the emulator stores the code and never runs it. */
export const EMPTY_ZIP = Buffer.from("UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==", "base64");

/**
 * The role functions run as. The emulator checks that it exists; the IAM client is not a
 * dependency, so it is made through IAM's query API. Its ARN.
 */
export async function createLambdaRole(endpoint: string, name = "drctl-test-lambda"): Promise<string> {
  const response = await fetch(`${endpoint}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization:
        "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=test",
    },
    body: new URLSearchParams({
      Action: "CreateRole",
      Version: "2010-05-08",
      RoleName: name,
      AssumeRolePolicyDocument: "{}",
    }),
  });
  const text = await response.text();
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
  if (!arn) throw new Error(`CreateRole failed: ${text}`);
  return arn;
}

/** A function as most pairs have it (its environment names its own region's table); its ARN. */
export async function createFunction(
  aws: AwsClients,
  region: string,
  name: string,
  role: string,
  over: Partial<CreateFunctionRequest> = {},
): Promise<string> {
  const out = await aws.get(LambdaClient, region).send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Role: role,
      Handler: "index.handler",
      Code: { ZipFile: EMPTY_ZIP },
      MemorySize: 512,
      Timeout: 30,
      Architectures: ["arm64"],
      Environment: { Variables: { TABLE_NAME: `orders-${region}` } },
      ...over,
    }),
  );
  return required(out.FunctionArn, `ARN for function ${name}`);
}

async function functionPair(
  aws: AwsClients,
  r: PairRegions & { role: string },
  names: { primary: string; standby: string },
  standby: Partial<CreateFunctionRequest>,
) {
  const standbyArn = await createFunction(aws, r.standbyRegion, names.standby, r.role, standby);
  const primaryArn = await createFunction(aws, r.primaryRegion, names.primary, r.role, {
    Tags: drTags(standbyArn),
  });
  return { name: names.primary, primaryArn, standbyArn };
}

/** `role`: the ARN createLambdaRole returned (one role serves every function of the world). */
export async function buildLambdaFunctionPairs(
  aws: AwsClients,
  r: PairRegions & { role: string },
): Promise<BuiltPairs> {
  const identical = [await functionPair(aws, r, twinNames("casing", "resize", r), {})];
  const planted = [
    {
      ...(await functionPair(aws, r, twinNames("region-code", "checkout-fn", r), { MemorySize: 256 })),
      ruleId: "lambda-function.memory",
    },
  ];
  return { type: "lambda-function", identical, planted };
}
