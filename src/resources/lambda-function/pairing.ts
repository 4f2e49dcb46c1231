/**
 * How Lambda functions pair: tagged primaries come from the tagging API; functions are read by
 * ARN in their own region and account from the region's ListFunctions pages (50 a page: one
 * listing covers every function of the region asked for in one call), a version or alias ARN
 * with GetFunctionConfiguration. The configuration read here is what most rules compare.
 */
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  paginateListFunctions,
  type FunctionConfiguration,
} from "@aws-sdk/client-lambda";
import { formatArn, type Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { mapAwsError, NotFoundError } from "../../aws/errors.js";
import type { PairKind } from "../../pairs/kind.js";
import { taggedThroughTaggingApi } from "../../pairs/tagging-api.js";
import { ownsFunction } from "../owns.js";

const isQualified = (arn: Arn) => arn.resourceId.includes(":");

/** Every function of a region and account by name, through the paged region-wide listing. */
async function functionsOf(lambda: LambdaClient): Promise<Map<string, FunctionConfiguration>> {
  const byName = new Map<string, FunctionConfiguration>();
  for await (const page of paginateListFunctions({ client: lambda, pageSize: 50 }, {}))
    for (const f of page.Functions ?? []) byName.set(f.FunctionName ?? "", f);
  return byName;
}

/** The functions of one region and account: one listing for all unqualified ARNs. */
async function describeGroup(
  aws: AwsClients,
  group: readonly Arn[],
  result: Map<string, FunctionConfiguration | Error>,
): Promise<void> {
  const { region, account } = group[0] as Arn;
  const lambda = aws.get(LambdaClient, region, account);
  const site = (operation: string) => ({ service: "Lambda", operation, region, account });
  const unqualified = group.filter((a) => !isQualified(a));
  if (unqualified.length > 0) {
    try {
      const byName = await functionsOf(lambda);
      for (const arn of unqualified)
        result.set(
          formatArn(arn),
          byName.get(arn.resourceId) ??
            new NotFoundError(
              `not found: ${formatArn(arn)}`,
              site("ListFunctions"),
              "ResourceNotFoundException",
              undefined,
            ),
        );
    } catch (err) {
      for (const arn of unqualified) result.set(formatArn(arn), mapAwsError(err, site("ListFunctions")));
    }
  }
  await Promise.all(
    group.filter(isQualified).map(async (arn) => {
      try {
        const out = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: formatArn(arn) }));
        result.set(formatArn(arn), out);
      } catch (err) {
        result.set(formatArn(arn), mapAwsError(err, site("GetFunctionConfiguration")));
      }
    }),
  );
}

async function describe(
  aws: AwsClients,
  arns: readonly Arn[],
): Promise<Map<string, FunctionConfiguration | Error>> {
  const groups = new Map<string, Arn[]>();
  for (const arn of arns) {
    const key = `${arn.region}|${arn.account}`;
    groups.set(key, [...(groups.get(key) ?? []), arn]);
  }
  const result = new Map<string, FunctionConfiguration | Error>();
  await Promise.all([...groups.values()].map((group) => describeGroup(aws, group, result)));
  return result;
}

const owns = ownsFunction;
const nameOf = (f: FunctionConfiguration) => f.FunctionName ?? "";

export const lambdaFunctionPairing: PairKind<FunctionConfiguration> = {
  type: "lambda-function",
  title: "Lambda function",
  owns,
  tagged: taggedThroughTaggingApi({ owns, describe, nameOf, title: "Lambda function" }),
  describe,
  nameOf,
};

export { ownsFunction };
