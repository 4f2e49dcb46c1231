/**
 * drctl's AWS clients for adapter tests whose SDK clients are mocked (aws-sdk-client-mock): test
 * credentials, no client-side rate limits, and an endpoint where nothing listens, so a client a
 * test forgot to mock fails at once on this machine instead of reaching out.
 */
import { AwsClients, type AwsClientsOptions } from "../../src/aws/client-factory.js";

export function mockedAws(options: AwsClientsOptions = {}): Promise<AwsClients> {
  return AwsClients.create({
    endpointUrl: "http://127.0.0.1:9",
    rateLimits: "off",
    credentials: () => Promise.resolve({ accessKeyId: "test", secretAccessKey: "test" }),
    ...options,
  });
}
