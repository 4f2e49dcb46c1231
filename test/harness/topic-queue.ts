import { SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { AwsClients } from "../../src/aws/client-factory.js";

/** An SQS queue subscribed to `topicArn`: what was published there, read back as SNS delivered it. */
export async function subscribeQueue(
  aws: AwsClients,
  topicArn: string,
  name: string,
): Promise<{ read(): Promise<{ subject: string; message: string }[]> }> {
  const region = topicArn.split(":")[3] ?? "us-east-1";
  const sqs = aws.get(SQSClient, region);
  const queue = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl ?? "";
  const queueArn =
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue, AttributeNames: ["QueueArn"] })))
      .Attributes?.QueueArn ?? "";
  await aws
    .get(SNSClient, region)
    .send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queueArn }));
  return {
    async read() {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 10 }));
      return (got.Messages ?? []).map((m) => {
        const body = JSON.parse(m.Body ?? "{}") as { Subject?: string; Message: string };
        return { subject: body.Subject ?? "", message: body.Message };
      });
    },
  };
}
