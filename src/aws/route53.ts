import {
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from "@aws-sdk/client-route-53";

/**
 * Every record set of a zone, all pages. The SDK has no paginator for this operation: its cursor
 * is the (name, type, set identifier) of the next record, not a token.
 */
export async function* listRecordSets(
  client: Route53Client,
  hostedZoneId: string,
): AsyncGenerator<ResourceRecordSet> {
  let cursor: {
    StartRecordName?: string;
    StartRecordType?: ResourceRecordSet["Type"];
    StartRecordIdentifier?: string;
  } = {};
  for (;;) {
    const page = await client.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: hostedZoneId, MaxItems: 300, ...cursor }),
    );
    yield* page.ResourceRecordSets ?? [];
    if (!page.IsTruncated) return;
    cursor = {
      ...(page.NextRecordName ? { StartRecordName: page.NextRecordName } : {}),
      ...(page.NextRecordType ? { StartRecordType: page.NextRecordType } : {}),
      ...(page.NextRecordIdentifier ? { StartRecordIdentifier: page.NextRecordIdentifier } : {}),
    };
  }
}
