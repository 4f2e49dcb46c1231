import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AwsClients } from "../aws/client-factory.js";
import { mapAwsError } from "../aws/errors.js";
import { writeFileAtomic } from "../util/files.js";
import type { Message } from "./message.js";

export interface Envelope {
  from: string;
  to: string[];
}

// nodemailer and the SES client are imported when a message is sent: a run that sends none
// (most scans) starts without them.

/** The whole MIME message (multipart/alternative: text and HTML). */
export async function mime(message: Message, envelope: Envelope): Promise<Buffer> {
  const { default: MailComposer } = await import("nodemailer/lib/mail-composer/index.js");
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

/**
 * The embedded default: <outbox>/<name>.eml and .html, to open in any mail client or browser. Each
 * file appears whole or not at all (written beside its name, then renamed), private to its owner.
 */
export async function writeOutbox(
  dir: string,
  name: string,
  message: Message,
  envelope: Envelope,
): Promise<string> {
  const file = join(dir, `${name}.eml`);
  writeFileAtomic(join(dir, `${name}.html`), message.html);
  // The .eml last: a mail client watching the folder sees it only once both are there.
  writeFileAtomic(file, await mime(message, envelope));
  return file;
}

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465). Otherwise STARTTLS is required before anything is sent. */
  secure: boolean;
  user?: string;
  password?: string;
  /** PEM file of the CA that signed the server's certificate, when it is not a public one. */
  caFile?: string;
}

/**
 * Sends through SMTP over TLS, always: with `secure` TLS from the start, otherwise the server must
 * offer STARTTLS, and a server that does not gets nothing, no login and no message (nodemailer's
 * `requireTLS`; its default would fall back to plain text and send the password in clear).
 */
export async function sendSmtp(
  settings: SmtpSettings,
  message: Message,
  envelope: Envelope,
): Promise<string> {
  const server = `SMTP ${settings.host}:${settings.port}`;
  let ca: string | undefined;
  if (settings.caFile) {
    try {
      ca = readFileSync(settings.caFile, "utf8");
    } catch (err) {
      throw new Error(`cannot read notify.email.smtp.caFile ${settings.caFile}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  const { default: nodemailer } = await import("nodemailer");
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: !settings.secure,
    tls: { rejectUnauthorized: true, minVersion: "TLSv1.2", ...(ca ? { ca } : {}) },
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
    return `${server} accepted it over TLS (${String(info.messageId)})`;
  } catch (err) {
    const e = err as { code?: string; command?: string; message?: string };
    if (e.code === "ETLS" && !settings.secure)
      throw new Error(
        `${server} does not offer STARTTLS (${e.message ?? "upgrade refused"}); nothing was sent, no password either: drctl sends mail only over TLS (use a server or port that offers it, or secure: true for TLS from the start)`,
        { cause: err },
      );
    throw new Error(`${server}: ${e.message ?? String(err)}`, { cause: err });
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
  const { SendEmailCommand, SESv2Client } = await import("@aws-sdk/client-sesv2");
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

/**
 * Slack's mrkdwn reads `<...>` as links and mentions (`<!channel>` pages a whole channel) and `&`
 * as the start of an entity: the three are escaped in every text Slack parses, so values from AWS
 * (a fixed-response body, a tag) are shown as written and never act.
 */
export function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Slack incoming webhooks take {text, blocks}; Teams workflows take an Adaptive Card message. */
export function webhookBody(format: "slack" | "teams", message: Message, summary: string[]): unknown {
  if (format === "slack") {
    return {
      // The fallback text of notifications is mrkdwn too.
      text: slackEscape(message.subject),
      blocks: [
        { type: "header", text: { type: "plain_text", text: message.subject.slice(0, 150) } },
        ...(summary.length
          ? [
              {
                type: "section",
                text: {
                  type: "mrkdwn",
                  text: summary
                    .slice(0, 20)
                    .map(slackEscape)
                    .join("\n")
                    .slice(0, 2900)
                    // never end in the middle of an entity (&amp; cut to &am)
                    .replace(/&[a-z]{0,3}$/, ""),
                },
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
