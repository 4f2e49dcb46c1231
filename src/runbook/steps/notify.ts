import { SendEmailCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { z } from "zod";
import { parseArn } from "../../aws/arn.js";
import type { StepKind } from "../step.js";

const params = z
  .strictObject({
    message: z.string().min(1),
    subject: z.string().max(100).default("drctl runbook"),
    topicArn: z.string().startsWith("arn:").optional(),
    webhookUrl: z.url().optional(),
    email: z.strictObject({ from: z.string().min(3), to: z.array(z.string().min(3)).min(1) }).optional(),
  })
  .refine((p) => p.topicArn ?? p.webhookUrl ?? p.email, {
    message: "expected topicArn, webhookUrl or email",
  });
type Params = z.infer<typeof params>;

const channels = (p: Params) =>
  [
    p.topicArn && `SNS ${p.topicArn}`,
    p.webhookUrl && `webhook ${new URL(p.webhookUrl).host}`,
    p.email && `email to ${p.email.to.join(", ")}`,
  ]
    .filter(Boolean)
    .join(", ");

/** Tells people: an SNS topic, a Slack/Teams-style webhook ({"text": ...}), or an email through SES. */
export const notifyStep: StepKind<Params> = {
  kind: "notify",
  description: "sends a message to an SNS topic, a webhook (Slack, Teams) or by email through SES",
  permissions: ["sns:Publish", "ses:SendEmail"],
  params,
  outputs: ["sent", "messageId"],
  plan: (_ctx, p) =>
    Promise.resolve({ current: "-", target: `"${p.message}" to ${channels(p)}`, changes: true }),
  async execute(ctx, p) {
    let messageId = "";
    if (p.topicArn) {
      const out = await ctx.aws
        .get(SNSClient, parseArn(p.topicArn).region)
        .send(new PublishCommand({ TopicArn: p.topicArn, Subject: p.subject, Message: p.message }));
      messageId = out.MessageId ?? "";
    }
    if (p.webhookUrl) {
      const res = await fetch(p.webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: `${p.subject}: ${p.message}` }),
        signal: ctx.signal,
      });
      if (!res.ok) throw new Error(`webhook ${new URL(p.webhookUrl).host} answered ${res.status}`);
    }
    if (p.email) {
      const out = await ctx.aws.get(SESv2Client, ctx.region).send(
        new SendEmailCommand({
          FromEmailAddress: p.email.from,
          Destination: { ToAddresses: p.email.to },
          Content: { Simple: { Subject: { Data: p.subject }, Body: { Text: { Data: p.message } } } },
        }),
      );
      messageId ||= out.MessageId ?? "";
    }
    return { sent: channels(p), messageId };
  },
  // Whoever heard of the failover hears of the failback.
  inverse: (p) => [{ kind: "notify", params: { ...p, message: `failback: ${p.message}` } }],
};
