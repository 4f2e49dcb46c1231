import { Route53Client, paginateListHostedZones } from "@aws-sdk/client-route-53";
import type { AwsClients } from "../../aws/client-factory.js";
import { mapAwsError } from "../../aws/errors.js";
import { listRecordSets } from "../../aws/route53.js";
import {
  normalizeDnsName,
  regionNeutralName,
  toRecordRef,
  type FailoverSet,
  type RecordRef,
  type Route53View,
} from "./normalize.js";

export const ROUTE53_PERMISSIONS = ["route53:ListHostedZones", "route53:ListResourceRecordSets"];

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

  pointingAt(dnsName: string): RecordRef[] {
    return this.byTarget.get(normalizeDnsName(dnsName)) ?? [];
  }

  /** Both sides' views of the pair's records. */
  viewsFor(
    primary: { dnsName: string; region: string },
    standby: { dnsName: string; region: string },
  ): [Route53View, Route53View] {
    const [p, s] = [normalizeDnsName(primary.dnsName), normalizeDnsName(standby.dnsName)];
    const role = (r: RecordRef | undefined) =>
      !r ? "none" : r.target === p ? "primary" : r.target === s ? "standby" : "other";
    const sets = new Map<string, FailoverSet>();
    for (const r of [...this.pointingAt(p), ...this.pointingAt(s)]) {
      if (!r.failover) continue;
      const key = `${r.name}|${r.type}`;
      if (sets.has(key)) continue;
      const group = this.byName.get(key) ?? [];
      const prim = group.find((x) => x.failover === "PRIMARY");
      const sec = group.find((x) => x.failover === "SECONDARY");
      sets.set(key, {
        name: r.name,
        type: r.type,
        primaryRole: role(prim),
        secondaryRole: role(sec),
        primaryHasHealthCheck: Boolean(prim?.healthCheckId),
      });
    }
    const failover = [...sets.values()].sort((a, b) => a.name.localeCompare(b.name));
    const names = (dns: string, region: string) =>
      [...new Set(this.pointingAt(dns).map((r) => `${regionNeutralName(r.name, region)} ${r.type}`))].sort();
    return [
      { names: names(p, primary.region), failover },
      { names: names(s, standby.region), failover },
    ];
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
