import { describe, expect, it } from "vitest";
import { InputError } from "../errors.js";
import {
  AccessDeniedError,
  AwsError,
  EndpointUnreachableError,
  InvalidRequestError,
  mapAwsError,
  NotFoundError,
  ThrottledError,
} from "./errors.js";

const site = { service: "ELBv2", operation: "DescribeLoadBalancers", region: "us-west-2" };

/** Errors shaped as the SDK v3 throws them: name = AWS error code, $metadata with the HTTP status. */
function sdkError(name: string, status: number, message = `${name} happened`) {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status },
  });
}

describe("mapAwsError", () => {
  it.each([
    ["AccessDenied", 403, AccessDeniedError],
    ["AccessDeniedException", 400, AccessDeniedError],
    ["UnauthorizedOperation", 403, AccessDeniedError],
    ["Throttling", 400, ThrottledError],
    ["ThrottlingException", 400, ThrottledError],
    ["RequestLimitExceeded", 503, ThrottledError],
    ["TooManyRequestsException", 429, ThrottledError],
    ["LoadBalancerNotFound", 400, NotFoundError],
    ["InvalidGroup.NotFound", 400, NotFoundError],
    ["DBInstanceNotFound", 404, NotFoundError],
    ["NoSuchHostedZone", 404, NotFoundError],
    ["ValidationError", 400, InvalidRequestError],
    ["InvalidParameterValue", 400, InvalidRequestError],
    ["InvalidConfigurationRequest", 400, InvalidRequestError],
    ["InternalFailure", 500, AwsError],
  ])("maps %s (HTTP %d) to %s", (code, status, type) => {
    const cause = sdkError(code, status);
    const mapped = mapAwsError(cause, site);
    expect(mapped).toBeInstanceOf(type);
    expect(mapped.cause).toBe(cause);
    expect((mapped as AwsError).code).toBe(code);
    expect(mapped.message).toContain("ELBv2.DescribeLoadBalancers in us-west-2");
  });

  it("treats an unnamed 403 as access denied and an unnamed 429 as throttling", () => {
    expect(
      mapAwsError(Object.assign(new Error("x"), { $metadata: { httpStatusCode: 403 } }), site),
    ).toBeInstanceOf(AccessDeniedError);
    expect(
      mapAwsError(Object.assign(new Error("x"), { $metadata: { httpStatusCode: 429 } }), site),
    ).toBeInstanceOf(ThrottledError);
  });

  it("recognises a refused connection as an unreachable endpoint", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    const mapped = mapAwsError(refused, site);
    expect(mapped).toBeInstanceOf(EndpointUnreachableError);
    expect(mapped.message).toMatch(
      /could not reach the endpoint for ELBv2.DescribeLoadBalancers in us-west-2/,
    );
  });

  it("names the account when the call was made in another one", () => {
    expect(
      mapAwsError(sdkError("AccessDenied", 403), { ...site, account: "222222222222" }).message,
    ).toContain("(account 222222222222)");
  });

  it("passes drctl's own errors through unchanged", () => {
    const own = new InputError("bad");
    expect(mapAwsError(own, site)).toBe(own);
  });

  it("maps non-Error values without throwing", () => {
    expect(mapAwsError("boom", site)).toBeInstanceOf(AwsError);
    expect(mapAwsError(undefined, site).message).toContain("unknown error");
  });
});
