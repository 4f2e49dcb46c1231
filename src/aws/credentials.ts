import type { STSClient } from "@aws-sdk/client-sts";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { DrctlError, EXIT, InputError } from "../errors.js";
import { mapAwsError } from "./errors.js";

/**
 * The default provider chain (env, SSO, shared files, container, instance), optionally for one
 * profile. `where` says where the profile was named (--profile, drctl.yaml, AWS_PROFILE), so an
 * unknown one is reported against the place it came from.
 */
export async function baseCredentials(
  profile: string | undefined,
  where = "--profile",
): Promise<AwsCredentialIdentityProvider> {
  if (profile !== undefined) await assertProfileExists(profile, where);
  return fromNodeProviderChain(profile === undefined ? {} : { profile });
}

async function assertProfileExists(profile: string, where: string): Promise<void> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles();
  if (profile in configFile || profile in credentialsFile) return;
  const known = [...new Set([...Object.keys(configFile), ...Object.keys(credentialsFile)])].sort();
  throw new InputError(
    `AWS profile "${profile}" (from ${where}) was not found in ~/.aws/config or ~/.aws/credentials` +
      (known.length > 0 ? `; known profiles: ${known.join(", ")}` : "; no profiles are defined there"),
  );
}

/** No credentials could be found: the command cannot start (exit 3, could not finish). */
export class NoCredentialsError extends DrctlError {
  constructor(message: string, cause: unknown) {
    super(message, { exitCode: EXIT.couldNotFinish, cause });
  }
}

/**
 * Resolves the credentials once, before any AWS call, so "no credentials" is said in one line
 * rather than as a failure of every call. The chain is memoized: the clients reuse what this found.
 */
export async function assertCredentials(
  provider: AwsCredentialIdentityProvider,
  profile?: { name: string; where: string },
): Promise<void> {
  try {
    await provider();
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new NoCredentialsError(
      profile
        ? `no AWS credentials for profile "${profile.name}" (from ${profile.where}): ${detail}`
        : `no AWS credentials found (looked in the environment, ~/.aws/credentials and ~/.aws/config, SSO, the container and the instance): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with --profile or AWS_PROFILE (${detail})`,
      err,
    );
  }
}

const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * Credentials of a role assumed through `sts` (a client drctl made, so the call is counted and
 * rate-limited like any other). Cached until five minutes before they expire. The STS client is
 * made (and its package loaded) at the first assumption: most runs assume no role.
 */
export function assumedRoleCredentials(
  sts: () => Promise<STSClient>,
  roleArn: string,
  options: { externalId?: string; sessionName?: string } = {},
): AwsCredentialIdentityProvider {
  let cached: Promise<AwsCredentialIdentity> | undefined;
  const fetch = async (): Promise<AwsCredentialIdentity> => {
    try {
      const { AssumeRoleCommand } = await import("@aws-sdk/client-sts");
      const { Credentials: c } = await (
        await sts()
      ).send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: options.sessionName ?? "drctl",
          ...(options.externalId ? { ExternalId: options.externalId } : {}),
        }),
      );
      if (!c?.AccessKeyId || !c.SecretAccessKey)
        throw new Error(`AssumeRole ${roleArn} returned no credentials`);
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
      };
    } catch (err) {
      cached = undefined;
      throw mapAwsError(err, { service: "STS", operation: `AssumeRole ${roleArn}`, region: "global" });
    }
  };
  return async () => {
    const current = cached ? await cached : undefined;
    if (current && (!current.expiration || current.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS)) {
      return current;
    }
    cached = fetch();
    return cached;
  };
}
