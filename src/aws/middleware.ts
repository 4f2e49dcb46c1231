import type {
  FinalizeHandler,
  FinalizeHandlerArguments,
  HandlerExecutionContext,
  MetadataBearer,
} from "@smithy/types";
import type { CallCounter } from "./call-counter.js";
import type { RateLimiter } from "./rate-limits.js";
import { serviceLabel } from "./services.js";

export interface CallInfo {
  service: string;
  operation: string;
  region: string;
  account: string;
  attempt: number;
}

/**
 * Called before each attempt of a call that may change something (not a read): throws to refuse
 * it, before it is sent (a run's fence: its lease must still be its own).
 */
export type CallGuard = (call: { service: string; operation: string }) => Promise<void>;

/**
 * Operations that only read (or, AssumeRole, only obtain credentials): never guarded. Anything
 * else is taken as a change, so an operation unknown here is guarded, never let through.
 */
const READ_OPERATION =
  /^(Describe|Get|List|Head|BatchGet|Query|Scan|Search|Lookup|Select|Filter)(?=[A-Z]|$)|^AssumeRole/;

export function isReadOperation(operation: string): boolean {
  return READ_OPERATION.test(operation);
}

export interface ObserveOptions {
  counter: CallCounter;
  limiter: RateLimiter;
  region: string;
  account: string;
  onCall?: (call: CallInfo) => void;
  guard?: CallGuard;
}

/** The attempt number the SDK's retry middleware writes into each request ("attempt=2; max=6"). */
function attemptOf(request: unknown): number {
  const headers = (request as { headers?: Record<string, string> } | undefined)?.headers;
  const match = /attempt=(\d+)/.exec(headers?.["amz-sdk-request"] ?? "");
  return match ? Number(match[1]) : 1;
}

/**
 * Runs once per HTTP attempt (it sits after the retry middleware): waits for a token of the
 * service's bucket, asks the guard (if any) about a call that may change something, then counts
 * the request. Retries therefore cost tokens, are guarded each, and show in counts; a call the
 * guard refuses is not sent, nor counted.
 */
export function observeMiddleware(options: ObserveOptions) {
  return <Input extends object, Output extends MetadataBearer>(
      next: FinalizeHandler<Input, Output>,
      context: HandlerExecutionContext,
    ): FinalizeHandler<Input, Output> =>
    async (args: FinalizeHandlerArguments<Input>) => {
      const service = serviceLabel(context.clientName ?? "Unknown");
      const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
      await options.limiter.acquire(service, options.region, options.account);
      if (options.guard && !isReadOperation(operation)) await options.guard({ service, operation });
      const attempt = attemptOf(args.request);
      options.counter.record(service, operation, attempt);
      options.onCall?.({ service, operation, region: options.region, account: options.account, attempt });
      try {
        return await next(args);
      } catch (err) {
        throw unparseable(err) ? new UnparseableAnswer(err, `${service}.${operation}`, args.request) : err;
      }
    };
}

interface RawAnswer {
  $response?: { statusCode?: number; headers?: Record<string, string> };
}

/**
 * Whether the SDK failed to read the answer as the service's own (an HTML error page, an
 * emulator or proxy that lacks the operation): its message is then a parser's, several lines
 * long and naming SDK internals, and says nothing of where the answer came from.
 */
function unparseable(err: unknown): boolean {
  const e = err as RawAnswer & { message?: unknown };
  return (
    e?.$response !== undefined &&
    typeof e.message === "string" &&
    /Deserialization error|XML parse error|\$response|is not valid JSON|Unexpected token|Unexpected end of JSON/.test(
      e.message,
    )
  );
}

/** An answer that is not the service's, said in one line with the endpoint that gave it. */
export class UnparseableAnswer extends Error {
  override readonly name = "UnparseableAnswer";
  readonly $metadata: { httpStatusCode?: number };

  constructor(err: unknown, call: string, request: unknown) {
    const response = (err as RawAnswer).$response ?? {};
    const r = (request ?? {}) as { protocol?: string; hostname?: string; port?: number };
    const endpoint = `${r.protocol ?? "https:"}//${r.hostname ?? "?"}${r.port ? `:${r.port}` : ""}`;
    const type = Object.entries(response.headers ?? {}).find(
      ([k]) => k.toLowerCase() === "content-type",
    )?.[1];
    super(
      `${endpoint} answered ${call} with HTTP ${response.statusCode ?? "?"}${type ? ` ${type.split(";")[0] ?? ""}` : ""} that is not the service's answer (an emulator or proxy without this operation?)`,
      { cause: err },
    );
    this.$metadata = response.statusCode === undefined ? {} : { httpStatusCode: response.statusCode };
  }
}
