import { DrctlError } from "../errors.js";

/** Where a failed call was made, for messages a person can act on. */
export interface CallSite {
  service: string;
  operation: string;
  region: string;
  account?: string;
}

/** An AWS call failed; `code` is AWS's error code, `cause` the SDK's exception. */
export class AwsError extends DrctlError {
  constructor(
    message: string,
    readonly site: CallSite,
    readonly code: string,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}
export class AccessDeniedError extends AwsError {}
export class NotFoundError extends AwsError {}
export class ThrottledError extends AwsError {}
export class InvalidRequestError extends AwsError {}
export class EndpointUnreachableError extends AwsError {}

const ACCESS_DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedAccess",
  "AuthFailure",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "ExpiredToken",
  "ExpiredTokenException",
  "SignatureDoesNotMatch",
]);
const THROTTLED = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "SlowDown",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "Rate exceeded",
]);
const INVALID = new Set([
  "ValidationError",
  "ValidationException",
  "InvalidParameterValue",
  "InvalidParameterValueException",
  "InvalidParameterCombination",
  "InvalidParameterException",
  "InvalidInput",
  "InvalidRequest",
  "MissingParameter",
  "MalformedQueryString",
]);
const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

function shapeOf(err: unknown): ErrorShape {
  return typeof err === "object" && err !== null ? err : {};
}

/** The AWS error code of an SDK exception ("" when it has none). */
export function awsErrorCode(err: unknown): string {
  const shape = shapeOf(err);
  for (const candidate of [shape.Code, shape.code, shape.name]) {
    if (typeof candidate === "string" && candidate !== "" && candidate !== "Error") return candidate;
  }
  return "";
}

function isNotFound(code: string, status: number | undefined): boolean {
  return /NotFound|NoSuch|NotExist|\.Unknown$/.test(code) || (code === "" && status === 404);
}

/**
 * Turns whatever the SDK threw into one of a few typed errors. The message names the call and
 * region; the SDK exception stays as `cause`. Errors that already are DrctlErrors pass through.
 */
export function mapAwsError(err: unknown, site: CallSite): DrctlError {
  if (err instanceof DrctlError) return err;
  const shape = shapeOf(err);
  const code = awsErrorCode(err);
  const status = shape.$metadata?.httpStatusCode;
  const detail =
    typeof shape.message === "string" && shape.message !== "" ? shape.message : code || "unknown error";
  const where = `${site.service}.${site.operation} in ${site.region}${site.account ? ` (account ${site.account})` : ""}`;
  if (ACCESS_DENIED.has(code) || status === 403) {
    return new AccessDeniedError(`access denied to ${where}: ${detail}`, site, code, err);
  }
  if (THROTTLED.has(code) || status === 429) {
    return new ThrottledError(`throttled on ${where} after all retries: ${detail}`, site, code, err);
  }
  if (NETWORK.has(code) || NETWORK.has(String(shape.code))) {
    return new EndpointUnreachableError(
      `could not reach the endpoint for ${where}: ${detail}`,
      site,
      code,
      err,
    );
  }
  if (isNotFound(code, status)) return new NotFoundError(`not found: ${where}: ${detail}`, site, code, err);
  if (INVALID.has(code) || code.startsWith("Invalid")) {
    return new InvalidRequestError(`AWS rejected ${where} as invalid: ${detail}`, site, code, err);
  }
  return new AwsError(`${where} failed: ${detail}`, site, code, err);
}

/**
 * Whether trying again later may work: throttled, the endpoint not reached, or AWS's own failure
 * (5xx); not a denial, a missing resource or an invalid request.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof ThrottledError || err instanceof EndpointUnreachableError) return true;
  const status = (err instanceof AwsError ? shapeOf(err.cause) : shapeOf(err)).$metadata?.httpStatusCode;
  return (
    err instanceof AwsError &&
    !(
      err instanceof AccessDeniedError ||
      err instanceof NotFoundError ||
      err instanceof InvalidRequestError
    ) &&
    (status ?? 0) >= 500
  );
}
