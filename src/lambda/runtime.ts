import { parseDocument } from "yaml";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { join } from "node:path";
import { AwsClients } from "../aws/client-factory.js";
import { parseYamlWithSchema } from "../config/load.js";
import { configSchemaFor, primaryRegions, type DrctlConfig } from "../config/schema.js";
import { InputError } from "../errors.js";
import { ruleIds } from "../catalog.js";

/**
 * What every handler needs, from the function's environment:
 *   DRCTL_CONFIG  drctl.yaml as text (validated like the file)
 *   DRCTL_STORE   dynamodb://TABLE?region=REGION
 *   DRCTL_SITE    s3://BUCKET/PREFIX for the report site (optional)
 *   DRCTL_RESULTS s3://BUCKET/PREFIX where batch results wait for aggregation
 *   DRCTL_RUNBOOK_DIR             the folder of the triggers' runbooks (default $LAMBDA_TASK_ROOT/runbooks)
 *   DRCTL_FAILOVER_STATE_MACHINE  the ARN of the workflow that runs triggered runbooks (alarm handler)
 *   DRCTL_WEBHOOK_SECRET          the Secrets Manager secret holding notify.webhook's URL (notify
 *                                 handler), with DRCTL_WEBHOOK_FORMAT; the URL is in no environment
 */
export interface Runtime {
  config: DrctlConfig;
  aws: AwsClients;
  store: string;
  site: string | undefined;
  results: string;
  /** Where runbook paths of the configuration are relative to (default: the working directory). */
  runbookDir: string | undefined;
  failoverStateMachine: string | undefined;
  /** The function's own region (AWS_REGION): where the deployment's metrics go. */
  region: string;
  /** The function's log (CloudWatch Logs in Lambda). */
  log(line: string): void;
}

/** notify.webhook's URL, from the secret the deployment keeps it in (through Parameter Store's reference). */
async function webhookUrl(secret: string, region: string): Promise<string> {
  // The function's own credentials and region: drctl.yaml is not read yet (the URL belongs in it).
  const reader = await AwsClients.create({});
  try {
    const out = await reader
      .get(SSMClient, region)
      .send(
        new GetParameterCommand({ Name: `/aws/reference/secretsmanager/${secret}`, WithDecryption: true }),
      );
    const url = out.Parameter?.Value ?? "";
    if (!/^https?:\/\//.test(url))
      throw new InputError(
        `the secret ${secret} holds no webhook URL yet: put it there (aws secretsmanager put-secret-value)`,
      );
    return url;
  } finally {
    reader.destroy();
  }
}

export async function runtimeFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<Runtime> {
  // The deployment removes the webhook from drctl.yaml (its URL is a credential): it goes back in
  // before the file is checked, so a file whose only channel is the webhook stays valid.
  let text = env.DRCTL_CONFIG ?? "";
  if (env.DRCTL_WEBHOOK_SECRET) {
    const doc = parseDocument(text);
    doc.setIn(["notify", "webhook"], {
      url: await webhookUrl(env.DRCTL_WEBHOOK_SECRET, env.AWS_REGION ?? "us-east-1"),
      format: env.DRCTL_WEBHOOK_FORMAT === "teams" ? "teams" : "slack",
    });
    text = doc.toString();
  }
  const config = parseYamlWithSchema(text, "DRCTL_CONFIG", configSchemaFor(ruleIds()));
  const need = (name: string) => {
    const value = env[name];
    if (!value) throw new InputError(`the function's environment has no ${name}`);
    return value;
  };
  const aws = await AwsClients.create({
    accounts: config.accounts,
    ...(config.rateLimits ? { rateLimits: config.rateLimits } : {}),
    maxAttempts: config.retry.maxAttempts,
    ...(config.endpointUrl ? { endpointUrl: config.endpointUrl } : {}),
  });
  return {
    config,
    aws,
    store: need("DRCTL_STORE"),
    site: env.DRCTL_SITE,
    results: need("DRCTL_RESULTS"),
    // The deployment bundles the triggers' runbooks in runbooks/ beside the handlers.
    runbookDir:
      env.DRCTL_RUNBOOK_DIR ?? (env.LAMBDA_TASK_ROOT ? join(env.LAMBDA_TASK_ROOT, "runbooks") : undefined),
    failoverStateMachine: env.DRCTL_FAILOVER_STATE_MACHINE,
    region: env.AWS_REGION ?? primaryRegions(config)[0] ?? "us-east-1",
    log: (line) => void process.stdout.write(`${line}\n`),
  };
}
