import { join } from "node:path";
import type { AwsClients } from "../aws/client-factory.js";
import type { DrctlConfig } from "../config/schema.js";
import type { ScanResult } from "../core/scan-result.js";
import type { RunDiff } from "../history/diff.js";
import { expandHome } from "../config/store-location.js";
import { drctlHome } from "../history/open.js";
import type { FreshnessResult } from "../core/freshness-result.js";
import type { FreshnessDiff } from "../freshness/diff.js";
import { freshnessMessage } from "./freshness-message.js";
import { scanMessage, type Message } from "./message.js";
import type { Delivery } from "../runs/pipeline.js";
import { postWebhook, sendSes, sendSmtp, webhookBody, writeOutbox } from "./transports.js";

export type NotifyConfig = DrctlConfig["notify"];

export type { Delivery } from "../runs/pipeline.js";

/**
 * Which channels a scan notifies: `configured` (the default) those of drctl.yaml, which are none
 * without a `notify:` block; `outbox` the email to the outbox only, whatever `when` says; `none` nothing.
 */
export type NotifyChoice = "configured" | "outbox" | "none";

export function shouldNotify(config: NotifyConfig, diff: RunDiff): boolean {
  if (config.when === "never") return false;
  return config.when === "always" || diff.new.length > 0 || diff.resolved.length > 0;
}

/** The channels `choice` names under `config`, for saying what would be sent ("email (outbox)"). */
export function channelsOf(config: NotifyConfig, choice: NotifyChoice = "configured"): string[] {
  if (choice === "none") return [];
  if (choice === "outbox") return ["email (outbox)"];
  return [
    ...(config.email.enabled ? [`email (${TRANSPORT_LABEL[config.email.transport]})`] : []),
    ...(config.webhook ? [`webhook (${config.webhook.format})`] : []),
  ];
}

const TRANSPORT_LABEL = { outbox: "outbox", smtp: "SMTP", ses: "SES" } as const;

/**
 * Sends a message through the configured email transport and posts to the webhook, if any. Each
 * channel's failure is reported with its reason; one failing never stops the other. Nothing is
 * sent through a channel drctl.yaml does not name (or `--notify outbox` asks for), and with
 * `when: on-change` nothing when nothing changed.
 */
export async function deliver(options: {
  config: NotifyConfig;
  message: Message;
  /** The webhook's lines: what changed. */
  summary: string[];
  /** Whether anything changed since the run before (for `when: on-change`). */
  changed: boolean;
  /** The outbox file's name, without extension (scan-RUN, freshness-RUN). */
  name: string;
  aws: () => Promise<AwsClients>;
  choice?: NotifyChoice;
}): Promise<Delivery[]> {
  const { config, message } = options;
  const choice = options.choice ?? "configured";
  if (choice === "none") return [];
  if (
    choice === "configured" &&
    (config.when === "never" || (config.when === "on-change" && !options.changed))
  )
    return [];
  const envelope = { from: config.email.from, to: config.email.to };
  const deliveries: Delivery[] = [];
  const attempt = async (channel: string, send: () => Promise<string>) => {
    try {
      deliveries.push({ channel, ok: true, detail: await send() });
    } catch (err) {
      deliveries.push({ channel, ok: false, detail: err instanceof Error ? err.message : String(err) });
    }
  };
  const email = config.email;
  const transport = choice === "outbox" ? "outbox" : email.enabled ? email.transport : undefined;
  if (transport === "outbox") {
    const dir = email.outbox ? expandHome(email.outbox) : join(drctlHome(), "outbox");
    await attempt(
      "email (outbox)",
      async () => `written to ${await writeOutbox(dir, options.name, message, envelope)}`,
    );
  } else if (transport === "smtp") {
    const smtp = email.smtp;
    await attempt("email (SMTP)", () => {
      if (!smtp) throw new Error("notify.email.transport is smtp but notify.email.smtp is not set");
      const password = smtp.passwordEnv ? process.env[smtp.passwordEnv] : undefined;
      return sendSmtp(
        {
          host: smtp.host,
          port: smtp.port,
          secure: smtp.secure,
          ...(smtp.user ? { user: smtp.user } : {}),
          ...(password ? { password } : {}),
          ...(smtp.caFile ? { caFile: smtp.caFile } : {}),
        },
        message,
        envelope,
      );
    });
  } else if (transport === "ses") {
    await attempt("email (SES)", async () =>
      sendSes(await options.aws(), email.ses?.region ?? "us-east-1", message, envelope),
    );
  }
  const webhook = choice === "configured" ? config.webhook : undefined;
  if (webhook)
    await attempt(`webhook (${webhook.format})`, () =>
      postWebhook(webhook.url, webhookBody(webhook.format, message, options.summary)),
    );
  return deliveries;
}

/** The scan email and webhook, for what changed since the scan before. */
export function notifyScan(options: {
  config: NotifyConfig;
  result: ScanResult;
  diff: RunDiff;
  runId: string;
  aws: () => Promise<AwsClients>;
  reportUrl?: string;
  choice?: NotifyChoice;
}): Promise<Delivery[]> {
  const { diff } = options;
  return deliver({
    config: options.config,
    message: scanMessage(options.result, diff, options.reportUrl),
    summary: [
      ...diff.new.map((f) => `+ ${f.severity} ${f.pair} ${f.ruleId}: ${f.message}`),
      ...diff.resolved.map((f) => `- resolved ${f.pair} ${f.ruleId}`),
    ],
    changed: shouldNotify({ ...options.config, when: "on-change" }, diff),
    name: `scan-${options.runId}`,
    aws: options.aws,
    ...(options.choice ? { choice: options.choice } : {}),
  });
}

/** The freshness email and webhook, for what changed since the freshness run before. */
export function notifyFreshness(options: {
  config: NotifyConfig;
  result: FreshnessResult;
  diff: FreshnessDiff;
  runId: string;
  aws: () => Promise<AwsClients>;
  choice?: NotifyChoice;
}): Promise<Delivery[]> {
  const { diff } = options;
  return deliver({
    config: options.config,
    message: freshnessMessage(options.result, diff),
    summary: diff.changed.map((c) => `${c.store} (${c.kind}): ${c.from} -> ${c.to}`),
    changed: diff.changed.length > 0 || diff.newFindings.length > 0 || diff.resolvedFindings.length > 0,
    name: `freshness-${options.runId}`,
    aws: options.aws,
    ...(options.choice ? { choice: options.choice } : {}),
  });
}
