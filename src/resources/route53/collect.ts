import { ops } from "../../aws/services.js";
import { Route53Client, paginateListHostedZones } from "@aws-sdk/client-route-53";
import type { AwsClients } from "../../aws/client-factory.js";
import { mapAwsError } from "../../aws/errors.js";
import { listRecordSets } from "../../aws/route53.js";
import { normalizeDnsName, toRecordRef, type RecordRef } from "./normalize.js";

export const ROUTE53_PERMISSIONS = ops("Route53", "ListHostedZones", "ListResourceRecordSets");

/** Every alias and CNAME record of every hosted zone, read once per scan, indexed by target and by name. */
export class RecordIndex {
  private readonly byTarget = new Map<string, RecordRef[]>();
  private readonly byName = new Map<string, RecordRef[]>();

  constructor(records: Iterable<RecordRef>) {
    for (const r of records) {
      push(this.byTarget, r.target, r);
      push(this.byName, `${r.name}|${r.type}`, r);
    }
  }

  static async load(aws: AwsClients, region: string): Promise<RecordIndex> {
    const client = aws.get(Route53Client, region);
    const refs: RecordRef[] = [];
    try {
      for await (const page of paginateListHostedZones({ client }, {})) {
        for (const zone of page.HostedZones ?? []) {
          for await (const set of listRecordSets(client, zone.Id ?? "")) {
            const ref = toRecordRef(set);
            if (ref) refs.push(ref);
          }
        }
      }
    } catch (err) {
      throw mapAwsError(err, { service: "Route53", operation: "ListResourceRecordSets", region: "global" });
    }
    return new RecordIndex(refs);
  }

  /** The records that point at a DNS name (alias or CNAME). */
  pointingAt(dnsName: string): RecordRef[] {
    return this.byTarget.get(normalizeDnsName(dnsName)) ?? [];
  }

  /** Every record of one name and type (a failover or weighted set). */
  named(name: string, type: string): RecordRef[] {
    return this.byName.get(`${name}|${type}`) ?? [];
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
