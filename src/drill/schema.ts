import { z } from "zod";
import { regionCode } from "../aws/regions.js";
import { durationField } from "../util/duration.js";
import { urlField } from "../util/url.js";

/** A duration (500ms, 90s, 15m, 1h30m, 30 for seconds) as seconds; `30 minutes` is refused at its line with what is expected. */
const duration = durationField({ positive: true });

const region = regionCode;

/** Where an answer says which region served it. */
const regionField = z
  .strictObject({
    /** A response header (x-region, x-served-by). */
    header: z.string().min(1).optional(),
    /** A field of a JSON body, dot-separated (region, meta.region). */
    json: z.string().min(1).optional(),
    /** A regular expression on the body; its first group is the region. */
    pattern: z.string().min(1).optional(),
    /** The value the primary answers with, when it is not the region's code. */
    primary: z.string().min(1).optional(),
    /** The value the standby answers with, when it is not the region's code. */
    standby: z.string().min(1).optional(),
  })
  .refine((r) => [r.header, r.json, r.pattern].filter((x) => x !== undefined).length === 1, {
    message: "expected exactly one of header, json or pattern: where the answer names its region",
  })
  .refine(
    (r) => {
      if (r.pattern === undefined) return true;
      try {
        new RegExp(r.pattern);
        return true;
      } catch {
        return false;
      }
    },
    { message: "expected a regular expression with one group, such as region=([a-z0-9-]+)" },
  );

export const endpointSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
    message: "expected a name of letters, digits, dots, dashes and underscores",
  }),
  // Credentials in a URL would be printed, stored and published with the drill: refused (a probe sends none).
  url: urlField({ protocol: /^https?$/, error: "expected an http:// or https:// URL" }),
  /** The status a good answer has (default 200), and text its body contains. */
  expect: z
    .strictObject({
      status: z.number().int().min(100).max(599).default(200),
      body: z.string().optional(),
    })
    .prefault({}),
  region: regionField.optional(),
  /** The Host header to send (the URL names an address or a load balancer). */
  host: z.string().min(1).optional(),
  /** The TLS server name (SNI) for https (default: host, then the URL's host). */
  sni: z.string().min(1).optional(),
});

const dynamodbCanary = z.strictObject({
  table: z.string().min(1),
  /** The table's partition key (a string attribute). */
  key: z.string().min(1).default("pk"),
});
const s3Canary = z.strictObject({
  bucket: z.string().min(3),
  prefix: z.string().min(1).default("drctl-canary/"),
  /** The replication destination in the standby region. */
  standbyBucket: z.string().min(3),
});
const commandCanary = z.strictObject({
  /** Writes marker $DRCTL_MARKER (written at $DRCTL_WRITTEN_AT) on side $DRCTL_SIDE (primary | standby). */
  write: z.string().min(1),
  /** Prints, one a line, the markers beginning with $DRCTL_MARKER_PREFIX it can read on $DRCTL_SIDE. */
  read: z.string().min(1),
  /** Removes the markers beginning with $DRCTL_MARKER_PREFIX on both sides (optional). */
  remove: z.string().min(1).optional(),
  timeout: duration.default(30),
});

export const canarySchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
      message: "expected a name of letters, digits, dots, dashes and underscores",
    }),
    dynamodb: dynamodbCanary.optional(),
    s3: s3Canary.optional(),
    command: commandCanary.optional(),
    /** The table or bucket of drctl.yaml's freshness.canary. */
    freshness: z.enum(["table", "bucket"]).optional(),
    /** How often a marker is written (and the resolution of the RPO): default the probe interval. */
    interval: duration.optional(),
  })
  .refine((c) => [c.dynamodb, c.s3, c.command, c.freshness].filter((x) => x !== undefined).length === 1, {
    message: "expected exactly one of dynamodb, s3, command or freshness",
  });

const value = z.union([z.string(), z.number(), z.boolean()]);

export const drillSchema = z.strictObject({
  version: z.literal(1),
  name: z.string().min(1),
  description: z.string().optional(),
  /** The application drilled: its lock is held for the whole drill; its scan and freshness are the preflight. */
  application: z.string().min(1),
  regions: z.strictObject({ primary: region, standby: region }),
  endpoints: z.array(endpointSchema).min(1),
  probe: z
    .strictObject({
      interval: duration.default(1),
      /** A request without an answer in this time is a failure. */
      timeout: duration.default(2),
      /** Successes in a row that count as served (K). */
      consecutive: z.number().int().min(1).max(100).default(3),
      /** How long to wait for the baseline (K successes from the primary) before refusing to start. */
      baseline: duration.default(30),
      /** system (getaddrinfo), or DNS servers to ask ("10.0.0.2", "127.0.0.1:5353"). */
      resolver: z
        .union([z.literal("system"), z.strictObject({ servers: z.array(z.string().min(1)).min(1) })])
        .default("system"),
    })
    .prefault({}),
  canaries: z.array(canarySchema).default([]),
  fault: z
    .strictObject({
      kind: z.string().min(1),
      /** Where the fault acts; default the primary region. */
      region: region.optional(),
      params: z.record(z.string(), z.unknown()).default({}),
      /**
       * What the fault may touch: primary (default: resources of the drilled application in its
       * primary region), standby (in the standby region too), any (anywhere, and resources no
       * application claims). Other than primary, `reason` says why (journaled and printed).
       */
      scope: z.enum(["primary", "standby", "any"]).default("primary"),
      reason: z.string().trim().min(1).optional(),
    })
    .superRefine((f, ctx) => {
      if (f.scope !== "primary" && f.reason === undefined)
        ctx.addIssue({
          code: "custom",
          path: ["reason"],
          message: `expected a reason for scope: ${f.scope} (why this drill may touch more than its application's primary region; journaled and printed)`,
        });
    }),
  /** The failover runbook (relative to this file), or none when the architecture fails over by itself. */
  runbook: z.string().min(1),
  /** Values of the runbook's config: block for this drill. */
  set: z.record(z.string(), value).default({}),
  /**
   * When the runbook starts: once the probes see the fault (detection, default) or at once
   * after the fault (fault).
   */
  startRunbook: z.enum(["detection", "fault"]).default("detection"),
  /** generated (from the failover's journal), none, or a failback runbook (relative to this file). */
  failback: z.string().min(1).default("generated"),
  targets: z.strictObject({ rto: duration.optional(), rpo: duration.optional() }).prefault({}),
  timeouts: z
    .strictObject({
      /** From the fault to the first failed probe; then the runbook starts anyway. */
      detect: duration.default(300),
      /** From the fault to K successes from the standby; then RTO is "at least" this, not met. */
      recovery: duration.default(1800),
      /** From the fault's revert to K successes from the primary. */
      failback: duration.default(1800),
    })
    .prefault({}),
});

export type DrillFile = z.infer<typeof drillSchema>;
export type DrillEndpoint = z.infer<typeof endpointSchema>;
export type DrillCanary = z.infer<typeof canarySchema>;
