import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { CallCounter } from "./call-counter.js";
import { assumedRoleCredentials, baseCredentials } from "./credentials.js";
import { parseEndpointUrl } from "./endpoint.js";
import { observeMiddleware, type CallGuard, type CallInfo } from "./middleware.js";
import {
  effectiveRateLimits,
  isLoopbackEndpoint,
  RateLimiter,
  type RateLimit,
  type RateLimits,
} from "./rate-limits.js";
import { assertRegion } from "./regions.js";

/** The options every SDK v3 client constructor accepts that drctl sets. */
export interface SdkClientConfig {
  region: string;
  credentials: AwsCredentialIdentityProvider;
  endpoint?: string;
  maxAttempts: number;
  retryMode: string;
  /** S3 only: an endpoint override (an emulator) serves buckets by path, not by host name. */
  forcePathStyle?: boolean;
}

/** Any AWS SDK v3 client class, e.g. ElasticLoadBalancingV2Client. */
export interface SdkClient {
  // Typed per service in the SDK; drctl's middleware is generic over input and output, and a
  // method signature (bivariant) lets every service's stack fit.
  readonly middlewareStack: {
    add(middleware: never, options: { step: "finalizeRequest"; priority: "low"; name: string }): void;
  };
  destroy(): void;
}
export type SdkClientClass<C extends SdkClient> = new (config: SdkClientConfig) => C;

export interface AccountAccess {
  /** Role to assume for resources in this account; absent means the base credentials reach it. */
  roleArn?: string;
  externalId?: string;
}

export interface AwsClientsOptions {
  profile?: string;
  /** Overrides every service endpoint (the local emulator); AWS_ENDPOINT_URL is used when unset. */
  endpointUrl?: string;
  /** Accounts keyed by 12-digit id. */
  accounts?: Readonly<Record<string, AccountAccess>>;
  /** drctl.yaml's rateLimits; see effectiveRateLimits for what applies. */
  rateLimits?: Readonly<Record<string, RateLimit>> | "off";
  maxAttempts?: number;
  /** Region used for STS when assuming roles. */
  homeRegion?: string;
  onCall?: (call: CallInfo) => void;
  /** Credentials to use instead of the default chain (tests, Lambda). */
  credentials?: AwsCredentialIdentityProvider;
}

/** The key under which the caller's own credentials are cached. */
const HOME = "home";

/**
 * One place that makes AWS clients: any service, any region, any account. Every client it makes
 * shares the call counter and the per-service rate limits, uses adaptive retries and honours
 * the endpoint override; clients are cached per (class, region, account).
 */
export class AwsClients {
  readonly counter: CallCounter;
  private readonly limiter: RateLimiter;
  private readonly clients = new Map<string, SdkClient>();
  private readonly credentialsByAccount = new Map<string, AwsCredentialIdentityProvider>();
  /** Guarded views made from these clients (destroyed with them). */
  private readonly views = new Set<AwsClients>();
  readonly endpoint: string | undefined;
  /** The client-side rate limits in force (off against a loopback endpoint unless configured). */
  readonly rateLimits: RateLimits | "off";

  private constructor(
    private readonly options: AwsClientsOptions,
    private readonly base: AwsCredentialIdentityProvider,
    /** A guarded view's: the clients it was made from (credentials, counts and rate limits shared). */
    private readonly parent?: AwsClients,
    private readonly guard?: CallGuard,
  ) {
    if (parent) {
      this.counter = parent.counter;
      this.limiter = parent.limiter;
      this.endpoint = parent.endpoint;
      this.rateLimits = parent.rateLimits;
      return;
    }
    this.counter = new CallCounter();
    const fromEnv = process.env.AWS_ENDPOINT_URL;
    this.endpoint =
      options.endpointUrl !== undefined
        ? parseEndpointUrl(options.endpointUrl, "--endpoint-url")
        : fromEnv
          ? parseEndpointUrl(fromEnv, "the AWS_ENDPOINT_URL environment variable")
          : undefined;
    this.rateLimits = effectiveRateLimits(options.rateLimits, isLoopbackEndpoint(this.endpoint));
    this.limiter = new RateLimiter(this.rateLimits);
  }

  static async create(options: AwsClientsOptions = {}): Promise<AwsClients> {
    const base = options.credentials ?? (await baseCredentials(options.profile));
    return new AwsClients(options, base);
  }

  /**
   * The same clients, with `guard` asked before every attempt of a call that may change something
   * (reads go on unasked): a run's clients, fenced by its lease. Same credentials, call counts and
   * rate limits; its own client objects, which destroy() of the view (or of these) ends.
   */
  guarded(guard: CallGuard): AwsClients {
    const root = this.parent ?? this;
    const outer = this.guard;
    const both: CallGuard = outer
      ? async (call) => {
          await outer(call);
          await guard(call);
        }
      : guard;
    const view = new AwsClients(root.options, root.base, root, both);
    root.views.add(view);
    return view;
  }

  /**
   * Which credentials reach `account`: its own role's, or the caller's ("home") when no role is
   * named for it (the caller's own account id included). Two accounts with the same key share
   * clients, and so what is read through them.
   */
  accessKey(account?: string): string {
    return account && this.options.accounts?.[account]?.roleArn ? account : HOME;
  }

  /** A client of `Client` for `region`, acting in `account` (default: the caller's own). */
  get<C extends SdkClient>(Client: SdkClientClass<C>, region: string, account?: string): C {
    // Files and flags are checked at load; a region reaching here came from AWS or a tag.
    assertRegion(region, "a region drctl was about to call");
    const accountKey = this.accessKey(account);
    const key = `${Client.name}|${region}|${accountKey}`;
    const existing = this.clients.get(key);
    if (existing) return existing as C;
    const client = new Client({
      region,
      credentials: this.credentialsFor(accountKey),
      maxAttempts: this.options.maxAttempts ?? 6,
      retryMode: "adaptive",
      ...(this.endpoint ? { endpoint: this.endpoint, forcePathStyle: true } : {}),
    });
    const middleware = observeMiddleware({
      counter: this.counter,
      limiter: this.limiter,
      region,
      // Keyed by the credentials used, not the id passed: an account reached with the caller's own
      // credentials is the caller's account, and must share its buckets.
      account: accountKey,
      ...(this.options.onCall ? { onCall: this.options.onCall } : {}),
      ...(this.guard ? { guard: this.guard } : {}),
    });
    client.middlewareStack.add(middleware as never, {
      step: "finalizeRequest",
      priority: "low",
      name: "drctlObserve",
    });
    this.clients.set(key, client);
    return client;
  }

  private credentialsFor(accountKey: string): AwsCredentialIdentityProvider {
    // A view's roles are assumed (and cached) by the clients it was made from.
    if (this.parent) return this.parent.credentialsFor(accountKey);
    if (accountKey === HOME) return this.base;
    let provider = this.credentialsByAccount.get(accountKey);
    if (!provider) {
      const access = this.options.accounts?.[accountKey];
      const sts = async () =>
        this.get((await import("@aws-sdk/client-sts")).STSClient, this.options.homeRegion ?? "us-east-1");
      provider = assumedRoleCredentials(sts, access?.roleArn ?? "", {
        ...(access?.externalId ? { externalId: access.externalId } : {}),
      });
      this.credentialsByAccount.set(accountKey, provider);
    }
    return provider;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
    for (const view of this.views) view.destroy();
    this.views.clear();
    this.parent?.views.delete(this);
  }
}
