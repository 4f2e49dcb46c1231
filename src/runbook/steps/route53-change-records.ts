import { ops } from "../../aws/services.js";
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
import {
  NotFoundError,
  reconcileByTarget,
  waitFor,
  waiting,
  type StepContext,
  type StepKind,
} from "../step.js";
import { known } from "./grants.js";
import { aws, code, comment, hostedZoneId, jmesLiteral, json, output, text, word } from "../manual.js";

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
    zone: z.string().min(1).describe("The hosted zone: its id (Z...) or its domain name."),
    records: z
      .array(record)
      .default([])
      .describe(
        "Records to create or replace (UPSERT), each { name, type (A, AAAA, CNAME), values or alias { dnsName, hostedZoneId, evaluateTargetHealth }, ttl (default 60), setIdentifier, failover (PRIMARY, SECONDARY), weight, healthCheckId }.",
      ),
    /** Records to delete if present (a failback removes what the failover created). */
    remove: z
      .array(recordKey)
      .default([])
      .describe(
        "Records to delete if present, each { name, type, setIdentifier } (a failback removes what the failover created).",
      ),
  })
  .refine((p) => p.records.length + p.remove.length > 0, { message: "expected records or remove" });
type Params = z.infer<typeof params>;
type RecordSpec = Params["records"][number];

async function zoneId(r53: Route53Client, zone: string): Promise<string> {
  // A zone id has no dots (a name does).
  if (!zone.includes(".")) return zone.replace("/hostedzone/", "");
  const out = await r53.send(new ListHostedZonesByNameCommand({ DNSName: zone, MaxItems: 1 }));
  const found = out.HostedZones?.find((z) => normalizeDnsName(z.Name ?? "") === normalizeDnsName(zone));
  if (!found?.Id) throw new NotFoundError(`hosted zone ${zone} not found`);
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

/** The zone and the record sets the step names, as they are. */
interface Before {
  zoneId: string;
  records: ResourceRecordSet[];
}

async function read(ctx: StepContext, p: Params): Promise<Before> {
  const r53 = ctx.aws.get(Route53Client, "us-east-1");
  const id = await zoneId(r53, p.zone);
  return { zoneId: id, records: [...(await current(r53, id, [...p.records, ...p.remove])).values()] };
}

const label = (r: { name: string; type: string; setIdentifier?: string | undefined }) =>
  `${r.name} ${r.type}${r.setIdentifier ? ` ${r.setIdentifier}` : ""}`;

/** Each named record: as it is in `state`, and as the step leaves it. */
function lines(p: Params, state: Before) {
  const byKey = new Map(state.records.map((s) => [key(s.Name ?? "", s.Type ?? "", s.SetIdentifier), s]));
  return [
    ...p.records.map((r) => ({
      name: label(r),
      now: describe(byKey.get(key(r.name, r.type, r.setIdentifier))),
      next: describe(toRecordSet(r)),
    })),
    ...p.remove.map((r) => ({
      name: label(r),
      now: describe(byKey.get(key(r.name, r.type, r.setIdentifier))),
      next: describe(undefined),
    })),
  ];
}

/** A name as Route 53 lists it: lower case, ending in a dot, a `*` written as its octal escape. */
const route53Name = (name: unknown) =>
  typeof name === "string" ? `${name.toLowerCase().replace(/\.$/, "").replace(/\*/g, "\\052")}.` : name;

/** A runbook record (as written, references made runnable) as the ResourceRecordSet the step writes. */
function manualRecordSet(r: Record<string, unknown>): Record<string, unknown> {
  const alias = r.alias as Record<string, unknown> | undefined;
  return {
    Name: r.name,
    Type: r.type,
    ...(r.setIdentifier !== undefined ? { SetIdentifier: r.setIdentifier } : {}),
    ...(r.failover !== undefined ? { Failover: r.failover } : {}),
    ...(r.weight !== undefined ? { Weight: r.weight } : {}),
    ...(r.healthCheckId !== undefined ? { HealthCheckId: r.healthCheckId } : {}),
    ...(alias
      ? {
          AliasTarget: {
            DNSName: alias.dnsName,
            HostedZoneId: alias.hostedZoneId,
            EvaluateTargetHealth: alias.evaluateTargetHealth ?? true,
          },
        }
      : {
          TTL: r.ttl ?? 60,
          ResourceRecords: ((r.values as unknown[] | undefined) ?? []).map((Value) => ({ Value })),
        }),
  };
}

/** UPSERTs record sets (simple, failover or weighted) and waits until Route 53 reports INSYNC. */
export const route53ChangeRecordsStep: StepKind<Params, Before> = {
  kind: "route53.change-records",
  example: {
    zone: "Z0123456789ABCDEFGHIJ",
    records: [
      {
        name: "app.example.com",
        type: "CNAME",
        values: ["web-standby-123.us-west-2.elb.amazonaws.com"],
        ttl: 60,
      },
    ],
  },
  description:
    "upserts Route 53 records (failover, weighted or simple) and waits for INSYNC; outputs the previous records",
  permissions: ops(
    "Route53",
    "ListHostedZonesByName",
    "ListResourceRecordSets",
    "ChangeResourceRecordSets",
    "GetChange",
  ),
  params,
  outputs: ["changeId", "zoneId", "previous", "created"],
  idempotent: true,
  reconciles:
    "done when every named record is as the step sets it (and removed ones are gone); otherwise changes again",
  grants(p, where) {
    const names = [
      ...((p.records as { name?: unknown }[] | undefined) ?? []),
      ...((p.remove as { name?: unknown }[] | undefined) ?? []),
    ].map((r) => known(r.name));
    return [
      {
        actions: ["route53:ChangeResourceRecordSets"],
        // Zones are named, not identified, in runbooks: the records' names are the scope.
        resources: [`arn:${where.partition}:route53:::hostedzone/*`],
        ...(names.every((n) => n !== undefined)
          ? {
              conditions: {
                "ForAllValues:StringEquals": {
                  "route53:ChangeResourceRecordSetsNormalizedRecordNames": [
                    ...new Set(names.map((n) => normalizeDnsName(n ?? ""))),
                  ],
                },
              },
            }
          : {}),
      },
    ];
  },
  manual: (p, region) => {
    const zone = hostedZoneId(p.zone, region);
    const records = (p.records as Record<string, unknown>[] | undefined) ?? [];
    const remove = (p.remove as Record<string, unknown>[] | undefined) ?? [];
    const change = (batch: unknown, why: string) => [
      `CHANGE_ID=$(${aws("route53", "change-resource-record-sets", region, {
        "hosted-zone-id": zone,
        "change-batch": batch,
        query: "ChangeInfo.Id",
        output: "text",
      })})${comment(why)}`,
      aws("route53", "wait resource-record-sets-changed", region, { id: code("$CHANGE_ID") }),
    ];
    return [
      ...(records.length
        ? change(
            json({
              Changes: records.map((r) => ({ Action: "UPSERT", ResourceRecordSet: manualRecordSet(r) })),
            }),
            `UPSERT ${records.map((r) => `${text(r.name)} ${text(r.type)}`).join(", ")}`,
          )
        : []),
      // A DELETE names the record exactly as it is: the batch is made from Route 53's own listing.
      ...remove.flatMap((r) =>
        change(
          output(
            aws("route53", "list-resource-record-sets", region, {
              "hosted-zone-id": zone,
              query: word(
                "{Changes: ResourceRecordSets[?Name==",
                jmesLiteral(route53Name(r.name)),
                " && Type==",
                jmesLiteral(r.type),
                ...(r.setIdentifier === undefined
                  ? []
                  : [" && SetIdentifier==", jmesLiteral(r.setIdentifier)]),
                '].{Action: `"DELETE"`, ResourceRecordSet: @}}',
              ),
              output: "json",
            }),
          ),
          `DELETE ${text(r.name)} ${text(r.type)} (refused when it is already gone: nothing to do)`,
        ),
      ),
    ];
  },
  manualOutputs: (p, region) => ({
    zoneId: {
      command: aws("route53", "list-hosted-zones-by-name", region, {
        "dns-name": p.zone,
        query: word("HostedZones[?Name==", jmesLiteral(route53Name(p.zone)), "].Id | [0]"),
        output: "text",
      }),
    },
  }),
  read,
  plan(_ctx, p, before) {
    const l = lines(p, before);
    return {
      current: l.map((x) => `${x.name}: ${x.now}`).join("; "),
      target: l.map((x) => `${x.name}: ${x.next}`).join("; "),
      changes: l.some((x) => x.now !== x.next),
    };
  },
  async apply(ctx, p, now) {
    const r53 = ctx.aws.get(Route53Client, "us-east-1");
    const byKey = new Map(now.records.map((s) => [key(s.Name ?? "", s.Type ?? "", s.SetIdentifier), s]));
    // A DELETE must name the record exactly as it is; one already gone is nothing to do.
    const deletes = p.remove
      .map((r) => byKey.get(key(r.name, r.type, r.setIdentifier)))
      .filter((s): s is ResourceRecordSet => s !== undefined)
      .map((s) => ({ Action: "DELETE" as const, ResourceRecordSet: s }));
    const upserts = p.records
      .filter((r) => describe(byKey.get(key(r.name, r.type, r.setIdentifier))) !== describe(toRecordSet(r)))
      .map((r) => ({ Action: "UPSERT" as const, ResourceRecordSet: toRecordSet(r) }));
    if (upserts.length + deletes.length === 0) return { changeId: "" };
    const out = await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: now.zoneId,
        ChangeBatch: { Comment: `drctl runbook ${ctx.idempotencyKey}`, Changes: [...upserts, ...deletes] },
      }),
    );
    return { changeId: out.ChangeInfo?.Id ?? "" };
  },
  async settle(ctx, p, before, applied) {
    const r53 = ctx.aws.get(Route53Client, "us-east-1");
    const changeId = applied.changeId ?? "";
    if (changeId)
      await waitFor(
        async () =>
          (await r53.send(new GetChangeCommand({ Id: changeId }))).ChangeInfo?.Status === "INSYNC"
            ? true
            : undefined,
        waiting(ctx, `change ${changeId} to be in sync on Route 53's servers`),
        3000,
      );
    const had = new Set(before.records.map((s) => key(s.Name ?? "", s.Type ?? "", s.SetIdentifier)));
    // Records that did not exist before: a failback deletes them.
    const created = p.records
      .filter((r) => !had.has(key(r.name, r.type, r.setIdentifier)))
      .map((r) => ({
        name: r.name,
        type: r.type,
        ...(r.setIdentifier ? { setIdentifier: r.setIdentifier } : {}),
      }));
    return {
      changeId,
      zoneId: before.zoneId,
      previous: JSON.stringify(before.records),
      created: JSON.stringify(created),
    };
  },
  async reconcile(ctx, p, before) {
    const now = await read(ctx, p);
    const l = lines(p, now);
    const unchanged = before ? lines(p, before).every((b, i) => b.now === l[i]?.now) : undefined;
    return reconcileByTarget(
      l.every((x) => x.now === x.next),
      unchanged,
      `records ${l.map((x) => x.name).join(", ")}`,
    );
  },
  inverse(_p, out) {
    if (out.previous === undefined) return undefined;
    const previous = JSON.parse(out.previous) as ResourceRecordSet[];
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
