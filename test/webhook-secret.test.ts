/**
 * The cloud deployment keeps notify.webhook's URL in Secrets Manager (infra/stack.ts): the notify
 * function's runtime reads it through Parameter Store's reference to the secret, so the URL is in
 * neither the template nor any function's environment.
 */
import { describe, expect, it } from "vitest";
import { runtimeFromEnv } from "../src/lambda/runtime.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();

/**
 * CreateSecret as the Secrets Manager API takes it. drctl has no Secrets Manager client (it reads
 * the secret through SSM), so the test writes the request itself; the emulator reads the region
 * from the credential scope and checks no signature.
 */
async function createSecret(name: string, value: string): Promise<void> {
  const res = await fetch(env.emulator.endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "secretsmanager.CreateSecret",
      authorization:
        "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: JSON.stringify({ Name: name, SecretString: value }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

const base = {
  DRCTL_CONFIG: "notify:\n  when: always\n",
  DRCTL_STORE: "dynamodb://t?region=us-east-1",
  DRCTL_RESULTS: "s3://b/work",
  AWS_REGION: "us-east-1",
};

describe("the notify function's webhook", () => {
  it("comes from the secret named in its environment", async () => {
    await createSecret("Drctl/notify-webhook-url", "https://hooks.example.com/services/T1/B2/s3cr3t");
    const rt = await runtimeFromEnv({
      ...process.env,
      ...base,
      DRCTL_WEBHOOK_SECRET: "Drctl/notify-webhook-url",
      DRCTL_WEBHOOK_FORMAT: "teams",
    });
    expect(rt.config.notify.webhook).toEqual({
      url: "https://hooks.example.com/services/T1/B2/s3cr3t",
      format: "teams",
    });
    rt.aws.destroy();
  });

  it("says what to do when the secret holds no URL yet (as the deployment leaves it)", async () => {
    await createSecret("Drctl/empty-webhook", "generated-placeholder");
    await expect(
      runtimeFromEnv({ ...process.env, ...base, DRCTL_WEBHOOK_SECRET: "Drctl/empty-webhook" }),
    ).rejects.toThrow(/the secret Drctl\/empty-webhook holds no webhook URL yet: put it there/);
  });
});
