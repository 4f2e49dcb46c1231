import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListHostedZonesByNameCommand,
  Route53Client,
  type ResourceRecordSet,
} from "@aws-sdk/client-route-53";
import { z } from "zod";
import { listRecordSets } from "../../aws/route53.js";
import { normalizeDnsName } from "../../resources/route53/normalize.js";
import { waitFor, type StepKind } from "../step.js";

const record = z.strictObject({
  name: z.string().min(1),
  type: z.enum(["A", "AAAA", "CNAME"]),
  setIdentifier: z.string().optional(),
  failover: z.enum(["PRIMARY", "SECONDARY"]).optional(),
  weight: z.number().int().min(0).max(255).optional(),
  healthCheckId: z.string().optional(),
  alias: z
    .strictObject({
      dnsName: z.string(),
      hostedZoneId: z.string(),
      evaluateTargetHealth: z.boolean().default(true),
    })
    .optional(),
  values: z.array(z.string()).optional(),
  ttl: z.number().int().min(0).default(60),
});

const recordKey = z.strictObject({
  name: z.string().min(1),
  type: z.enum(["A", "AAAA", "CNAME"]),
  setIdentifier: z.string().optional(),
});

const params = z
  .strictObject({
    zone: z.string().min(1),
    records: z.array(record).default([]),
    /** Records to delete if present (a failback removes what the failover created). */
    remove: z.array(recordKey).default([]),
  })
  .refine((p) => p.records.length + p.remove.length > 0, { message: "expected records or remove" });
type Params = z.infer<typeof params>;
type RecordSpec = Params["records"][number];

async function zoneId(r53: Route53Client, zone: string): Promise<string> {
  // A zone id has no dots (a name does).
  if (!zone.includes(".")) return zone.replace("/hostedzone/", "");
  const out = await r53.send(new ListHostedZonesByNameCommand({ DNSName: zone, MaxItems: 1 }));
  const found = out.HostedZones?.find((z) => normalizeDnsName(z.Name ?? "") === normalizeDnsName(zone));
  if (!found?.Id) throw new Error(`hosted zone ${zone} not found`);
  return found.Id.replace("/hostedzone/", "");
}

const key = (name: string, type: string, id?: string) => `${normalizeDnsName(name)}|${type}|${id ?? ""}`;

function toRecordSet(r: RecordSpec): ResourceRecordSet {
  return {
    Name: r.name,
    Type: r.type,
    ...(r.setIdentifier ? { SetIdentifier: r.setIdentifier } : {}),
    ...(r.failover ? { Failover: r.failover } : {}),
    ...(r.weight !== undefined ? { Weight: r.weight } : {}),
    ...(r.healthCheckId ? { HealthCheckId: r.healthCheckId } : {}),
    ...(r.alias
      ? {
          AliasTarget: {
            DNSName: r.alias.dnsName,
            HostedZoneId: r.alias.hostedZoneId,
            EvaluateTargetHealth: r.alias.evaluateTargetHealth,
          },
        }
      : { TTL: r.ttl, ResourceRecords: (r.values ?? []).map((Value) => ({ Value })) }),
  };
}

const describe = (s: ResourceRecordSet | undefined) =>
  !s
    ? "(none)"
    : `${s.Failover ? `${s.Failover} ` : ""}${s.AliasTarget ? `alias ${normalizeDnsName(s.AliasTarget.DNSName ?? "")}` : (s.ResourceRecords ?? []).map((r) => r.Value).join(",")}${s.HealthCheckId ? ` (health check ${s.HealthCheckId})` : ""}`;

/** The record set as a runbook record: what a failback writes back. */
function fromRecordSet(s: ResourceRecordSet): Record<string, unknown> {
  return {
    name: s.Name,
    type: s.Type,
    ...(s.SetIdentifier ? { setIdentifier: s.SetIdentifier } : {}),
    ...(s.Failover ? { failover: s.Failover } : {}),
    ...(s.Weight !== undefined ? { weight: s.Weight } : {}),
    ...(s.HealthCheckId ? { healthCheckId: s.HealthCheckId } : {}),
    ...(s.AliasTarget
      ? {
          alias: {
            dnsName: s.AliasTarget.DNSName,
            hostedZoneId: s.AliasTarget.HostedZoneId,
            evaluateTargetHealth: s.AliasTarget.EvaluateTargetHealth ?? false,
          },
        }
      : { values: (s.ResourceRecords ?? []).map((r) => r.Value), ttl: s.TTL ?? 60 }),
  };
}

async function current(
  r53: Route53Client,
  id: string,
  records: { name: string; type: string; setIdentifier?: string | undefined }[],
): Promise<Map<string, ResourceRecordSet>> {
  const wanted = new Set(records.map((r) => key(r.name, r.type, r.setIdentifier)));
  const found = new Map<string, ResourceRecordSet>();
  for await (const set of listRecordSets(r53, id)) {
    const k = key(set.Name ?? "", set.Type ?? "", set.SetIdentifier);
    if (wanted.has(k)) found.set(k, set);
  }
  return found;
}

/** UPSERTs record sets (simple, failover or weighted) and waits until Route 53 reports INSYNC. */
export const route53ChangeRecordsStep: StepKind<Params> = {
  kind: "route53.change-records",
  description:
    "upserts Route 53 records (failover, weighted or simple) and waits for INSYNC; outputs the previous records",
  permissions: [
    "route53:ListHostedZonesByName",
    "route53:ListResourceRecordSets",
    "route53:ChangeResourceRecordSets",
    "route53:GetChange",
  ],
  params,
  outputs: ["changeId", "zoneId", "previous", "created"],
  async plan(ctx, p) {
    const r53 = ctx.aws.get(Route53Client, "us-east-1");
    const before = await current(r53, await zoneId(r53, p.zone), [...p.records, ...p.remove]);
    const label = (r: { name: string; type: string; setIdentifier?: string | undefined }) =>
      `${r.name} ${r.type}${r.setIdentifier ? ` ${r.setIdentifier}` : ""}`;
    const lines = [
      ...p.records.map((r) => ({
        name: label(r),
        now: describe(before.get(key(r.name, r.type, r.setIdentifier))),
        next: describe(toRecordSet(r)),
      })),
      ...p.remove.map((r) => ({
        name: label(r),
        now: describe(before.get(key(r.name, r.type, r.setIdentifier))),
        next: describe(undefined),
      })),
    ];
    return {
      current: lines.map((l) => `${l.name}: ${l.now}`).join("; "),
      target: lines.map((l) => `${l.name}: ${l.next}`).join("; "),
      changes: lines.some((l) => l.now !== l.next),
    };
  },
  async execute(ctx, p) {
    const r53 = ctx.aws.get(Route53Client, "us-east-1");
    const id = await zoneId(r53, p.zone);
    const before = await current(r53, id, [...p.records, ...p.remove]);
    // A DELETE must name the record exactly as it is; one already gone is nothing to do.
    const deletes = p.remove
      .map((r) => before.get(key(r.name, r.type, r.setIdentifier)))
      .filter((s): s is ResourceRecordSet => s !== undefined)
      .map((s) => ({ Action: "DELETE" as const, ResourceRecordSet: s }));
    const upserts = p.records.map((r) => ({ Action: "UPSERT" as const, ResourceRecordSet: toRecordSet(r) }));
    if (upserts.length + deletes.length === 0)
      return { changeId: "", zoneId: id, previous: "[]", created: "[]" };
    const out = await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: id,
        ChangeBatch: { Comment: "drctl runbook", Changes: [...upserts, ...deletes] },
      }),
    );
    const changeId = out.ChangeInfo?.Id ?? "";
    await waitFor(
      async () =>
        (await r53.send(new GetChangeCommand({ Id: changeId }))).ChangeInfo?.Status === "INSYNC"
          ? true
          : undefined,
      ctx.signal,
      3000,
    );
    // Records that did not exist before: a failback deletes them.
    const created = p.records
      .filter((r) => !before.has(key(r.name, r.type, r.setIdentifier)))
      .map((r) => ({
        name: r.name,
        type: r.type,
        ...(r.setIdentifier ? { setIdentifier: r.setIdentifier } : {}),
      }));
    return {
      changeId,
      zoneId: id,
      previous: JSON.stringify([...before.values()]),
      created: JSON.stringify(created),
    };
  },
  inverse(_p, out) {
    const previous = JSON.parse(out.previous ?? "[]") as ResourceRecordSet[];
    const created = JSON.parse(out.created ?? "[]") as Record<string, unknown>[];
    if (previous.length + created.length === 0) return [];
    return [
      {
        kind: "route53.change-records",
        params: { zone: out.zoneId, records: previous.map(fromRecordSet), remove: created },
      },
    ];
  },
};
