import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { join } from "node:path";
import { AwsClients } from "../aws/client-factory.js";
import { parseYamlWithSchema } from "../config/load.js";
import { configSchema, type DrctlConfig } from "../config/schema.js";
import { InputError } from "../errors.js";

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
  /** The function's log (CloudWatch Logs in Lambda). */
  log(line: string): void;
}

export async function runtimeFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<Runtime> {
  const config = parseYamlWithSchema(env.DRCTL_CONFIG ?? "", "DRCTL_CONFIG", configSchema);
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
  if (env.DRCTL_WEBHOOK_SECRET) {
    // Through Parameter Store's reference to Secrets Manager, with the SSM client drctl has.
    const out = await aws.get(SSMClient, env.AWS_REGION ?? "us-east-1").send(
      new GetParameterCommand({
        Name: `/aws/reference/secretsmanager/${env.DRCTL_WEBHOOK_SECRET}`,
        WithDecryption: true,
      }),
    );
    const url = out.Parameter?.Value ?? "";
    if (!/^https?:\/\//.test(url))
      throw new InputError(
        `the secret ${env.DRCTL_WEBHOOK_SECRET} holds no webhook URL yet: put it there (aws secretsmanager put-secret-value)`,
      );
    config.notify.webhook = { url, format: env.DRCTL_WEBHOOK_FORMAT === "teams" ? "teams" : "slack" };
  }
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
    log: (line) => void process.stdout.write(`${line}\n`),
  };
}
