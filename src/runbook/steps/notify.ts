import { ops } from "../../aws/services.js";
import { SendEmailCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { createHash } from "node:crypto";
import { z } from "zod";
import { parseArn } from "../../aws/arn.js";
import { REDACTED } from "../secrets.js";
import type { StepContext, StepKind } from "../step.js";
import { known } from "./grants.js";
import { aws, comment } from "../manual.js";
import { urlField } from "../../util/url.js";

const params = z
  .strictObject({
    message: z.string().min(1).describe("The text to send; may use references."),
    subject: z
      .string()
      .max(100)
      .default("drctl runbook")
      .describe("The subject (SNS, email), at most 100 characters."),
    topicArn: z
      .string()
      .startsWith("arn:")
      .optional()
      .describe("An SNS topic to publish to (the message goes to the topic's own region)."),
    /** A Slack/Teams-style webhook. Its URL is a credential: keep it in SSM and write ${ssm:/path}. */
    webhookUrl: urlField({ protocol: /^https?$/, error: "expected an http:// or https:// URL" })
      .optional()
      .describe(
        "A Slack/Teams-style webhook to post to. Its URL is a credential: keep it in SSM and write ${ssm:/path}.",
      ),
    email: z
      .strictObject({ from: z.string().min(3), to: z.array(z.string().min(3)).min(1) })
      .optional()
      .describe("An email through SES: { from, to: [addresses] }."),
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

/** A topic's region, from its ARN: SNS takes a message in the topic's own region. */
const topicRegion = (arn: unknown) =>
  typeof arn === "string" && arn.startsWith("arn:") ? arn.split(":")[3] || undefined : undefined;

/** Sends the message on every channel; returns the SNS or SES message id. */
export async function send(ctx: StepContext, p: Params): Promise<string> {
  let messageId = "";
  if (p.topicArn) {
    // A FIFO topic drops a message whose deduplication id it has seen (5 minutes): a resend is safe there.
    const fifo = p.topicArn.endsWith(".fifo");
    const dedup = createHash("sha256").update(ctx.idempotencyKey).digest("hex");
    const out = await ctx.aws.get(SNSClient, parseArn(p.topicArn).region).send(
      new PublishCommand({
        TopicArn: p.topicArn,
        Subject: p.subject,
        Message: p.message,
        ...(fifo ? { MessageGroupId: "drctl", MessageDeduplicationId: dedup } : {}),
      }),
    );
    messageId = out.MessageId ?? "";
  }
  if (p.webhookUrl) {
    const res = await fetch(p.webhookUrl, {
      method: "POST",
      // Receivers that deduplicate (most incident tools) drop a repeat of the same key.
      headers: { "content-type": "application/json", "idempotency-key": ctx.idempotencyKey },
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
  return messageId;
}

/** Tells people: an SNS topic, a Slack/Teams-style webhook ({"text": ...}), or an email through SES. */
export const notifyStep: StepKind<Params, undefined> = {
  kind: "notify",
  example: {
    message: "failover to us-west-2 done",
    topicArn: "arn:aws:sns:us-west-2:111122223333:dr-events",
  },
  description: "sends a message to an SNS topic, a webhook (Slack, Teams) or by email through SES",
  permissions: [...ops("SNS", "Publish"), ...ops("SESv2", "SendEmail")],
  params,
  outputs: ["sent", "messageId"],
  // Sent twice is told twice; a FIFO topic deduplicates by the step's key, the others cannot.
  idempotent: false,
  reconciles: "cannot tell whether the message went out: a person decides (send again, or count it as sent)",
  secretParams: ["webhookUrl"],
  grants(p, where) {
    const email = p.email as { from?: unknown } | undefined;
    const from = known(email?.from);
    return [
      ...(p.topicArn !== undefined
        ? [
            {
              actions: ["sns:Publish"],
              resources: [known(p.topicArn) ?? `arn:${where.partition}:sns:*:${where.account}:*`],
            },
          ]
        : []),
      ...(email
        ? [
            {
              actions: ["ses:SendEmail"],
              resources: [
                `arn:${where.partition}:ses:${where.region}:${where.account}:identity/${from ? from.replace(/^.*@/, "") : "*"}`,
                ...(from
                  ? [`arn:${where.partition}:ses:${where.region}:${where.account}:identity/${from}`]
                  : []),
              ],
            },
          ]
        : []),
    ];
  },
  manual: (p, region) => [
    ...(p.topicArn
      ? [
          aws("sns", "publish", topicRegion(p.topicArn) ?? region, {
            "topic-arn": p.topicArn,
            subject: p.subject,
            message: p.message,
          }),
        ]
      : []),
    ...(p.webhookUrl || p.email || !p.topicArn
      ? [
          comment(
            "tell the on-call channel",
            p.email ? " (email)" : "",
            p.webhookUrl ? " (webhook)" : "",
            ": ",
            p.message,
          ).trim(),
        ]
      : []),
  ],
  read: () => Promise.resolve(undefined),
  plan: (_ctx, p) => ({ current: "-", target: `"${p.message}" to ${channels(p)}`, changes: true }),
  async apply(ctx, p) {
    return { messageId: await send(ctx, p) };
  },
  settle: (_ctx, p, _before, applied) =>
    Promise.resolve({ sent: channels(p), messageId: applied.messageId ?? "" }),
  reconcile: () =>
    Promise.resolve({
      decision: "ask",
      detail: "the message may or may not have gone out; drctl cannot ask the channels",
    }),
  // Whoever heard of the failover hears of the failback (a webhook given literally is not copied).
  inverse(p) {
    const { webhookUrl, ...rest } = p;
    const again = { ...rest, ...(webhookUrl && webhookUrl !== REDACTED ? { webhookUrl } : {}) };
    if (!again.topicArn && !again.email && !again.webhookUrl) return [];
    return [{ kind: "notify", params: { ...again, message: `failback: ${p.message}` } }];
  },
};
