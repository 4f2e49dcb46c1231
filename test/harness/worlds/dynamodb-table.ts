/** DynamoDB table pairs: twins alike in meaning, and a pair with one planted difference. */
import {
  CreateTableCommand,
  DynamoDBClient,
  UpdateContinuousBackupsCommand,
  type CreateTableCommandInput,
} from "@aws-sdk/client-dynamodb";
import type { AwsClients } from "../../../src/aws/client-factory.js";
import { drTagList, required, twinNames, type BuiltPairs, type PairRegions } from "./common.js";

/** An on-demand table keyed by `pk`, with point-in-time recovery when `pitr`; its ARN. */
export async function createTable(
  aws: AwsClients,
  region: string,
  name: string,
  options: {
    pitr: boolean;
    tags?: { Key: string; Value: string }[];
    over?: Partial<CreateTableCommandInput>;
  },
): Promise<string> {
  const dynamodb = aws.get(DynamoDBClient, region);
  const out = await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      ...(options.tags?.length ? { Tags: options.tags } : {}),
      ...options.over,
    }),
  );
  if (options.pitr)
    await dynamodb.send(
      new UpdateContinuousBackupsCommand({
        TableName: name,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
  return required(out.TableDescription?.TableArn, `ARN for table ${name}`);
}

async function tablePair(
  aws: AwsClients,
  r: PairRegions,
  names: { primary: string; standby: string },
  standbyPitr: boolean,
) {
  const standbyArn = await createTable(aws, r.standbyRegion, names.standby, { pitr: standbyPitr });
  const primaryArn = await createTable(aws, r.primaryRegion, names.primary, {
    pitr: true,
    tags: drTagList(standbyArn),
  });
  return { name: names.primary, primaryArn, standbyArn };
}

export async function buildDynamodbTablePairs(aws: AwsClients, r: PairRegions): Promise<BuiltPairs> {
  const identical = [await tablePair(aws, r, twinNames("role", "sessions", r), true)];
  const planted = [
    {
      ...(await tablePair(aws, r, twinNames("casing", "carts", r), false)),
      ruleId: "dynamodb-table.point-in-time-recovery",
    },
  ];
  return { type: "dynamodb-table", identical, planted };
}
