/**
 * The CDK app: npm run synth (writes cdk.out/), then deploy with the AWS CDK CLI, e.g.
 *   npx aws-cdk deploy --app cdk.out
 * Settings come from the environment: DRCTL_DEPLOY_CONFIG (default ./drctl.yaml; its `triggers`
 * add the alarm-triggered failover and its `schedules` runbooks on a schedule, with their runbooks
 * bundled), DRCTL_SCHEDULE
 * (default rate(1 day)), DRCTL_CHANGE_ACCOUNTS (comma-separated account ids that may forward their
 * changes to this account's default bus; default: the accounts under `accounts` in drctl.yaml),
 * and CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION as the CDK sets them.
 */
import { STEP_KINDS } from "../src/catalog.js";
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseYamlWithSchema } from "../src/config/load.js";
import type { configSchema } from "../src/config/schema.js";
import { configSchemaFor, scheduleTopic } from "../src/config/schema.js";
import { loadRunbook } from "../src/runbook/load.js";
import { dirname, join } from "node:path";
import { bundleHandlers, bundleRunbooks } from "./bundle.js";
import { parseDocument } from "yaml";
import { DrctlStack } from "./stack.js";
import { ruleIds } from "../src/catalog.js";

/**
 * The configuration the functions get in their environment, without the webhook's URL (a
 * credential): the URL lives in Secrets Manager and only the notify function reads it.
 */
function withoutWebhook(
  configText: string,
  config: ReturnType<typeof configSchema.parse>,
): { configText: string; webhookFormat?: string } {
  if (!config.notify.webhook) return { configText };
  const doc = parseDocument(configText);
  doc.deleteIn(["notify", "webhook"]);
  return { configText: doc.toString(), webhookFormat: config.notify.webhook.format };
}

/** DRCTL_CHANGE_ACCOUNTS as a list; unset, undefined (the stack takes drctl.yaml's accounts). */
function changeAccountsFromEnv(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const accounts = value
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  const wrong = accounts.filter((a) => !/^\d{12}$/.test(a));
  if (wrong.length > 0)
    throw new Error(`DRCTL_CHANGE_ACCOUNTS: expected 12-digit account ids, got ${wrong.join(", ")}`);
  return accounts;
}

export function buildApp(
  options: { configFile?: string; schedule?: string; outdir?: string; changeAccounts?: string[] } = {},
) {
  const file = options.configFile ?? process.env.DRCTL_DEPLOY_CONFIG ?? "drctl.yaml";
  const configText = existsSync(file) ? readFileSync(file, "utf8") : "";
  const config = parseYamlWithSchema(configText, file, configSchemaFor(ruleIds()));
  const app = new App({
    outdir: options.outdir ?? "cdk.out",
    // Access-log delivery by bucket policy rather than the legacy LogDeliveryWrite ACL.
    context: { "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": true },
  });
  const codeDir = bundleHandlers();
  const started = [...config.triggers, ...config.schedules];
  // The applications' runbooks go in too, for the DR plans' dry runs; they grant nothing.
  bundleRunbooks(codeDir, dirname(file), [
    ...started.map((t) => t.runbook),
    ...config.applications.flatMap((a) =>
      [a.runbooks?.failover, a.runbooks?.failback].filter((r) => r !== undefined),
    ),
  ]);
  // Each runbook with the values its trigger or schedule gives it: what the grants are made of.
  const runbooks = started.map((t) => loadRunbook(STEP_KINDS, join(dirname(file), t.runbook), t.set));
  const stack = new DrctlStack(app, "Drctl", {
    ...withoutWebhook(configText, config),
    config,
    codeDir,
    ...(runbooks.length > 0
      ? {
          failover: {
            runbooks,
            notifyTopics: [
              ...new Set([
                ...config.triggers.flatMap((t) => (t.notifyTopicArn ? [t.notifyTopicArn] : [])),
                ...config.schedules.flatMap((s) => scheduleTopic(config, s) ?? []),
              ]),
            ],
            approvalMinutes: Math.max(0, ...config.triggers.map((t) => t.approvalTimeoutMinutes)),
            alarmNames: [...new Set(config.triggers.flatMap((t) => t.alarms))],
            schedules: config.schedules.map((s) => ({ name: s.name, cron: s.cron, runbook: s.runbook })),
          },
        }
      : {}),
    schedule: options.schedule ?? process.env.DRCTL_SCHEDULE ?? "rate(1 day)",
    changeSourceAccounts: options.changeAccounts ?? changeAccountsFromEnv(process.env.DRCTL_CHANGE_ACCOUNTS),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? "us-east-1" },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack, codeDir };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { app } = buildApp();
  const assembly = app.synth();
  console.log(
    `synthesized ${assembly.stacks.map((s) => s.templateFile).join(", ")} in ${assembly.directory}`,
  );
}
