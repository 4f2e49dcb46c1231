import { SendEmailCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import nodemailer from "nodemailer";
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import type { AwsClients } from "../aws/client-factory.js";
import { mapAwsError } from "../aws/errors.js";
import type { Message } from "./message.js";

export interface Envelope {
  from: string;
  to: string[];
}

/** The whole MIME message (multipart/alternative: text and HTML). */
export function mime(message: Message, envelope: Envelope): Promise<Buffer> {
  return new MailComposer({
    from: envelope.from,
    to: envelope.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
  })
    .compile()
    .build();
}

/** The embedded default: <outbox>/<name>.eml and .html, to open in any mail client or browser. */
export async function writeOutbox(
  dir: string,
  name: string,
  message: Message,
  envelope: Envelope,
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.eml`);
  writeFileSync(file, await mime(message, envelope));
  writeFileSync(join(dir, `${name}.html`), message.html);
  return file;
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
}

export async function sendSmtp(
  settings: SmtpSettings,
  message: Message,
  envelope: Envelope,
): Promise<string> {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? "" } } : {}),
    connectionTimeout: 10_000,
  });
  try {
    const info = await transport.sendMail({
      from: envelope.from,
      to: envelope.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
    return `SMTP ${settings.host}:${settings.port} accepted it (${String(info.messageId)})`;
  } finally {
    transport.close();
  }
}

export async function sendSes(
  aws: AwsClients,
  region: string,
  message: Message,
  envelope: Envelope,
): Promise<string> {
  try {
    const out = await aws.get(SESv2Client, region).send(
      new SendEmailCommand({
        FromEmailAddress: envelope.from,
        Destination: { ToAddresses: envelope.to },
        Content: { Raw: { Data: await mime(message, envelope) } },
      }),
    );
    return `SES in ${region} accepted it (${out.MessageId ?? "no id"})`;
  } catch (err) {
    throw mapAwsError(err, { service: "SESv2", operation: `SendEmail from ${envelope.from}`, region });
  }
}

/** Slack incoming webhooks take {text, blocks}; Teams workflows take an Adaptive Card message. */
export function webhookBody(format: "slack" | "teams", message: Message, summary: string[]): unknown {
  if (format === "slack") {
    return {
      text: message.subject,
      blocks: [
        { type: "header", text: { type: "plain_text", text: message.subject.slice(0, 150) } },
        ...(summary.length
          ? [
              {
                type: "section",
                text: { type: "mrkdwn", text: summary.slice(0, 20).join("\n").slice(0, 2900) },
              },
            ]
          : []),
      ],
    };
  }
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            { type: "TextBlock", weight: "Bolder", wrap: true, text: message.subject },
            ...summary.slice(0, 20).map((text) => ({ type: "TextBlock", wrap: true, text })),
          ],
        },
      },
    ],
  };
}

export async function postWebhook(url: string, body: unknown): Promise<string> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  if (!res.ok)
    throw new Error(`the webhook answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return `webhook answered HTTP ${res.status}`;
}
