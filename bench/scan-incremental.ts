/**
 * The incremental part of npm run bench:scan -- --incremental: on a built world, a full scan;
 * then 1% of the pairs changed through the emulator, with the EventBridge events CloudTrail would
 * send for those calls (as the deployment's rule records them); then, 30 minutes later, an
 * incremental scan (scan.fullEvery 24 h: its sweep share included) and a full scan, compared.
 * A scan that reads no pair (discovery alone) separates discovery's calls from a pair's read.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { World } from "../demo/world/build.js";
import { apiCallEvent } from "../demo/world/events.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { changeOfEventBridgeEvent } from "../src/changes/cloudtrail-event.js";
import type { ChangeSignal } from "../src/core/changes.js";
import type { ScanResult } from "../src/core/scan-result.js";

interface Figures {
  pairs: number;
  durationMs: number;
  calls: Record<string, number>;
  peakRss: number;
  incremental?: { read: number; reasons: Record<string, number> };
}

const MIN = 60_000;
const total = (f: Figures) => Object.values(f.calls).reduce((a, b) => a + b, 0);
const elbv2 = (f: Figures) =>
  Object.entries(f.calls)
    .filter(([k]) => k.startsWith("ELBv2."))
    .reduce((a, [, v]) => a + v, 0);

/** One scan in its own process; its whole result is left in `out`. */
function childScan(endpoint: string, env: Record<string, string>): Figures {
  const out = execFileSync(process.execPath, ["bench/scan-child.mjs"], {
    env: { ...process.env, ENDPOINT: endpoint, LIMITS: "off", ...env },
    maxBuffer: 64 * 2 ** 20,
  });
  return JSON.parse(out.toString()) as Figures;
}

/** Changes every hundredth pair (an attribute of its standby, or its primary's TLS policy); the events AWS would send. */
async function changeOnePercent(aws: AwsClients, world: World, at: Date): Promise<ChangeSignal[]> {
  const { primaryRegion, standbyRegion } = world.options;
  const account = world.pairs[0]?.primaryArn.split(":")[4] ?? "";
  const changed = world.pairs.filter((_, i) => i % 100 === 50 % Math.max(1, world.pairs.length));
  const events: Record<string, unknown>[] = [];
  for (const [i, p] of changed.entries()) {
    if (i % 2 === 0) {
      const attributes = [{ Key: "idle_timeout.timeout_seconds", Value: "400" }];
      await aws
        .get(ElasticLoadBalancingV2Client, standbyRegion)
        .send(
          new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: p.standbyArn, Attributes: attributes }),
        );
      events.push(
        apiCallEvent({
          service: "elasticloadbalancing",
          region: standbyRegion,
          account,
          eventName: "ModifyLoadBalancerAttributes",
          time: at,
          requestParameters: {
            loadBalancerArn: p.standbyArn,
            attributes: [{ key: "idle_timeout.timeout_seconds", value: "400" }],
          },
        }),
      );
    } else {
      const elb = aws.get(ElasticLoadBalancingV2Client, primaryRegion);
      const listeners = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: p.primaryArn }));
      const listenerArn = listeners.Listeners?.find((l) => l.Port === 443)?.ListenerArn ?? "";
      await elb.send(
        new ModifyListenerCommand({ ListenerArn: listenerArn, SslPolicy: "ELBSecurityPolicy-2016-08" }),
      );
      events.push(
        apiCallEvent({
          service: "elasticloadbalancing",
          region: primaryRegion,
          account,
          eventName: "ModifyListener",
          time: at,
          requestParameters: { listenerArn, sslPolicy: "ELBSecurityPolicy-2016-08" },
        }),
      );
    }
  }
  return events.flatMap((e) => changeOfEventBridgeEvent(e) ?? []);
}

/** What a reader sees of each pair; a day count from now is not AWS's state. */
function verdicts(file: string): string {
  const result = JSON.parse(readFileSync(file, "utf8")) as ScanResult;
  return JSON.stringify(
    result.pairs.map((p) => [
      p.name,
      p.status,
      p.findings
        .map(
          (f) =>
            `${f.ruleId} ${f.status} ${f.severity} ${f.path} ${f.message.replace(/in \d+ days/, "in N days")}`,
        )
        .sort(),
    ]),
  );
}

/** Full scan, 1% changed, incremental and full scans 30 minutes later; prints the figures. */
export async function benchIncremental(aws: AwsClients, world: World, endpoint: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "drctl-bench-inc-"));
  const file = (name: string) => join(dir, name);
  const t0 = new Date();
  const later = new Date(t0.getTime() + 30 * MIN).toISOString();
  const full = childScan(endpoint, { INCREMENTAL: "1", NOW: t0.toISOString(), OUT: file("first.json") });
  const pairs = full.pairs;
  console.log(
    `  full scan: ${total(full)} calls, ${(full.durationMs / 1000).toFixed(1)} s, peak RSS ${(full.peakRss / 2 ** 20).toFixed(0)} MiB`,
  );
  const changes = await changeOnePercent(aws, world, new Date(t0.getTime() + 10 * MIN));
  writeFileSync(file("changes.json"), JSON.stringify(changes));
  const after = { PREVIOUS: file("first.json"), NOW: later };
  const inc = childScan(endpoint, {
    INCREMENTAL: "1",
    ...after,
    CHANGES: file("changes.json"),
    OUT: file("inc.json"),
  });
  const again = childScan(endpoint, { NOW: later, OUT: file("full.json") });
  // Discovery alone: nothing changed and a sweep period no run reaches.
  const discovery = childScan(endpoint, {
    INCREMENTAL: "1",
    ...after,
    FULL_EVERY_MS: String(10 * 365 * 24 * 60 * MIN),
  });
  const equal = verdicts(file("inc.json")) === verdicts(file("full.json"));
  const changed = inc.incremental?.reasons.changed ?? 0;
  const perRead = (total(again) - total(discovery)) / pairs;
  const d = total(discovery) / pairs;
  const perChanged = perRead + d;
  const perUnchanged = (total(inc) - changed * perChanged) / (pairs - changed);
  const reasons = Object.entries(inc.incremental?.reasons ?? {})
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  console.log(
    `  30 min later, ${changes.length} pairs changed (${changes.length} change events): incremental scan read ${inc.incremental?.read ?? "?"} pairs (${reasons}): ${total(inc)} calls, ${(inc.durationMs / 1000).toFixed(1)} s, peak RSS ${(inc.peakRss / 2 ** 20).toFixed(0)} MiB; a full scan then: ${total(again)} calls, ${(again.durationMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `  discovery alone: ${total(discovery)} calls (${d.toFixed(2)} per pair); a pair's read: ${perRead.toFixed(2)} calls`,
  );
  const atAws = (f: Figures) => elbv2(f) / 2 / 10;
  console.log(
    `  at AWS's ELBv2 limit (10/s per region): full ${atAws(again).toFixed(0)} s, incremental ${atAws(inc).toFixed(1)} s for ${pairs} pairs; for 10x the pairs in one account: ${((10 * atAws(again)) / 60).toFixed(0)} min and ${(10 * atAws(inc)).toFixed(0)} s`,
  );
  console.log(
    `incremental: ${perUnchanged.toFixed(2)} calls per unchanged pair, ${perChanged.toFixed(2)} per changed pair; findings equal to a full scan: ${equal ? "yes" : "no"}`,
  );
}
