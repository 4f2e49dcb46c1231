import { join } from "node:path";
import type { AwsClients } from "../aws/client-factory.js";
import type { DrctlConfig } from "../config/schema.js";
import type { ScanResult } from "../core/scan-result.js";
import type { RunDiff } from "../store/diff.js";
import { expandHome } from "../store/location.js";
import { drctlHome } from "../store/open.js";
import { scanMessage } from "./message.js";
import { postWebhook, sendSes, sendSmtp, webhookBody, writeOutbox } from "./transports.js";

export type NotifyConfig = DrctlConfig["notify"];

export interface Delivery {
  channel: string;
  ok: boolean;
  detail: string;
}

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
 * Sends the scan email through the configured transport and posts to the webhook, if any. Each
 * channel's failure is reported with its reason; one failing never stops the other. Nothing is
 * sent through a channel drctl.yaml does not name (or `--notify outbox` asks for).
 */
export async function notifyScan(options: {
  config: NotifyConfig;
  result: ScanResult;
  diff: RunDiff;
  runId: string;
  aws: () => Promise<AwsClients>;
  reportUrl?: string;
  choice?: NotifyChoice;
}): Promise<Delivery[]> {
  const { config, result, diff } = options;
  const choice = options.choice ?? "configured";
  if (choice === "none") return [];
  if (choice === "configured" && !shouldNotify(config, diff)) return [];
  const message = scanMessage(result, diff, options.reportUrl);
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
      async () => `written to ${await writeOutbox(dir, `scan-${options.runId}`, message, envelope)}`,
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
  if (webhook) {
    const summary = [
      ...diff.new.map((f) => `+ ${f.severity} ${f.pair} ${f.ruleId}: ${f.message}`),
      ...diff.resolved.map((f) => `- resolved ${f.pair} ${f.ruleId}`),
    ];
    await attempt(`webhook (${webhook.format})`, () =>
      postWebhook(webhook.url, webhookBody(webhook.format, message, summary)),
    );
  }
  return deliveries;
}
