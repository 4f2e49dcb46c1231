import { z } from "zod";
import { parseArn } from "../aws/arn.js";
import { regionCode } from "../aws/regions.js";
import { parseStoreLocation } from "./store-location.js";
import { STRATEGIES, type Suppression } from "../core/scan-result.js";
import { CRON_EXPECTED, parseCron } from "../util/cron.js";
import { closest } from "../util/closest.js";
import { durationField } from "../util/duration.js";
import { glob } from "../util/glob.js";
import { urlField } from "../util/url.js";

/** 2026-02-29 and 2026-13-45 look like dates and are none. */
function isCalendarDate(text: string): boolean {
  const [y, m, d] = text.split("-").map(Number);
  const date = new Date(Date.UTC(y ?? 0, (m ?? 0) - 1, d ?? 0));
  return date.getUTCFullYear() === y && date.getUTCMonth() + 1 === m && date.getUTCDate() === d;
}

const region = regionCode;

/** An ARN, checked by drctl's own parser so the error says which part is wrong. */
const arn = (what: string) =>
  z.string().superRefine((value, ctx) => {
    try {
      parseArn(value);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: `expected ${what}: ${(err as Error).message}` });
    }
  });

/** A name of a fixed set, in any case (`Warm-Standby` is `warm-standby`), as flags take them. */
const anyCase = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((v) => (typeof v === "string" ? v.trim().toLowerCase() : v), z.enum(values));

/** A store location, checked by the parser every command uses (a typo of dynamodb:// is an error here). */
const storeLocation = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    try {
      parseStoreLocation(value, "store");
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message.replace(/ \(from store\)/, "") });
    }
  });

/** The email settings; present in the file means the email channel is on. */
const emailSchema = z.strictObject({
  from: z.string().min(3).default("drctl@localhost"),
  to: z.array(z.string().min(3)).default([]),
  /** outbox writes .eml and .html files (the embedded default); smtp and ses send. */
  transport: anyCase(["outbox", "smtp", "ses"]).default("outbox"),
  outbox: z.string().min(1).optional(),
  smtp: z
    .strictObject({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(587),
      /** true: TLS from the first byte (port 465); false: STARTTLS is required before any login. */
      secure: z.boolean().default(false),
      user: z.string().optional(),
      /** The name of the environment variable holding the password (never the password). */
      passwordEnv: z.string().optional(),
      /** A PEM file of the CA that signed the server's certificate, when it is a private CA. */
      caFile: z.string().min(1).optional(),
    })
    .optional(),
  ses: z.strictObject({ region }).optional(),
});

/** A duration (500ms, 15m, 1h30m, 30 for seconds) in drctl.yaml, as seconds. */
const duration = durationField();

/** Tag key and value pairs, values compared as people type them (case and spaces ignored). */
const tagMatch = z.record(z.string().min(1), z.string());

/** A person or rota to call, and how: at least one of email, phone, chat or pager is expected. */
const contactSchema = z.strictObject({
  name: z.string().min(1),
  role: z.string().min(1).optional(),
  email: z.string().min(3).optional(),
  phone: z.string().min(3).optional(),
  chat: z.string().min(1).optional(),
  pager: z.string().min(1).optional(),
});

const rateLimit = z.strictObject({
  perSecond: z.number().positive(),
  burst: z.number().int().min(1),
});

/** A runbook the cloud deployment bundles: a path relative to the config file, inside its folder. */
const bundledRunbook = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.split(/[\\/]/).includes(".."), {
    message: "expected a path relative to the config file, inside its folder (no leading / or ..)",
  });

/** An EventBridge cron expression, checked as EventBridge checks it (the deployment would refuse it). */
const cronExpression = z.string().superRefine((text, ctx) => {
  try {
    parseCron(text);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `${CRON_EXPECTED}; ${(err as Error).message}` });
  }
});

/** drctl.yaml, version 1. Every key is optional; strict objects make a typo an error, not a silent default. */
export const configSchema = z.strictObject({
  version: z.literal(1).default(1),
  regions: z
    .strictObject({
      /** Where primaries live; scans look for tagged primaries here. */
      primary: z.union([region, z.array(region).min(1)]).default("us-east-1"),
      /**
       * The standby region (a pair's standby region always comes from its ARN). Unset, freshness
       * takes it from what AWS records: a replica's region, a replication rule's destination.
       */
      standby: region.optional(),
    })
    .default({ primary: "us-east-1" }),
  /** How much of the standby runs before a failover; sets the severity of an empty standby. */
  strategy: anyCase(STRATEGIES).default("warm-standby"),
  profile: z.string().min(1).optional(),
  /** Where runs are kept: a SQLite file path, or dynamodb://TABLE?region=REGION. Default ~/.drctl/history.sqlite. */
  store: storeLocation.optional(),
  endpointUrl: urlField().optional(),
  accounts: z
    .record(
      z.string().regex(/^\d{12}$/, { message: "expected a 12-digit account id as the key" }),
      z.strictObject({
        roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, {
          message: "expected an IAM role ARN such as arn:aws:iam::123456789012:role/drctl-read",
        }),
        externalId: z.string().min(2).optional(),
      }),
    )
    .default({}),
  rateLimits: z.union([z.literal("off"), z.record(z.string(), rateLimit)]).optional(),
  retry: z
    .strictObject({ maxAttempts: z.number().int().min(1).max(20).default(6) })
    .default({ maxAttempts: 6 }),
  scan: z
    .strictObject({
      /** A certificate expiring within this many days is a finding (on either side). */
      certificateExpiryDays: z.number().int().min(0).default(30),
      /** Pairs scanned at once; the per-service rate limits still apply. */
      concurrency: z.number().int().min(1).max(256).default(16),
      /** Cloud fan-out: pairs per Step Functions map item (one Lambda invocation each). */
      batchSize: z.number().int().min(1).max(500).default(50),
      /**
       * Re-read only the pairs that may have changed since the previous stored scan (drctl scan
       * --incremental). Absent: off for drctl scan, on in the cloud deployment.
       */
      incremental: z.boolean().optional(),
      /** An incremental scan still reads every pair at least this often (a rolling sweep, spread over runs). */
      fullEvery: durationField({ positive: true, max: 30 * 86400 }).default(86400),
      /** Pairs whose findings rest on state no API call changes (alarm states) are re-read this often. */
      stateEvery: durationField({ positive: true, max: 30 * 86400 }).default(3600),
      /** How an incremental scan hears of changes besides the changes the history recorded. */
      changes: z
        .strictObject({
          /** CloudTrail's LookupEvents since the previous scan, in each region of a pair. */
          cloudtrail: z.boolean().default(true),
          /** AWS Config: `recorder` (each region's own recorder) or the name of an aggregator; absent: not used. */
          config: z
            .union([
              z.literal("recorder"),
              z.strictObject({ aggregator: z.string().min(1), region: z.string().min(1).optional() }),
            ])
            .optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Pairs listed explicitly, in addition to those found by tags. */
  /**
   * Pairs listed by hand, of any kind: load balancers for the readiness scan, data stores for
   * freshness. A data store listed without `secondary` only gets its own `rpo`.
   */
  pairs: z
    .array(
      z
        .strictObject({
          primary: arn("the primary resource's ARN"),
          secondary: z.string().min(1, { message: "expected the standby resource's ARN" }).optional(),
          /** This store's recovery point objective, over its application's and the default. */
          rpo: duration.optional(),
        })
        .superRefine((p, ctx) => {
          if (
            p.secondary === undefined &&
            /^arn:[^:]+:elasticloadbalancing:/.test(p.primary.trim().toLowerCase())
          )
            ctx.addIssue({
              code: "custom",
              path: ["secondary"],
              message: "expected the standby load balancer's ARN (secondary) for a load-balancer pair",
            });
        }),
    )
    .default([]),
  /**
   * The recovery point objective of every data store: how much data, counted as time, may be lost
   * when the primary region goes down. Applications and pairs override it.
   */
  rpo: duration.default(900),
  /** Applications: the resources that belong to each (by tag or ARN) and their targets. */
  applications: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        rpo: duration.optional(),
        rto: duration.optional(),
        /** Resources carrying all these tags belong to the application. */
        tags: tagMatch.optional(),
        /** ARNs (* matches any text) of resources that belong to the application. */
        arns: z.array(z.string().min(1)).optional(),
        /** Who answers for it: a team or a person, as the DR plan names them. */
        owner: z.string().min(1).optional(),
        /** Who to call in a disaster; one without a way to reach them is an open risk of the plan. */
        contacts: z.array(contactSchema).default([]),
        /** The runbooks that fail it over and back (paths relative to drctl.yaml). */
        runbooks: z
          .strictObject({
            failover: z.string().min(1).optional(),
            failback: z.string().min(1).optional(),
            /** Values for the runbooks' config, as a trigger's set: gives them. */
            set: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
          })
          .optional(),
        /** Its drill files (paths relative to drctl.yaml). */
        drills: z.array(z.string().min(1)).default([]),
      }),
    )
    .default([]),
  /** What `drctl plan` calls stale: evidence older than this is an open risk. */
  plan: z
    .strictObject({
      /** A drill older than this (or none) is an open risk. */
      maxDrillAge: duration.default(90 * 86_400),
      /** A scan or freshness run older than this is an open risk. */
      maxRunAge: duration.default(7 * 86_400),
    })
    .prefault({}),
  freshness: z
    .strictObject({
      /** How far back metrics are read: the worst value of this window is the exposure. */
      window: duration.default(900),
      /** Resources (ARNs, * wildcards) never reported as unprotected: scratch tables, logs. */
      ignore: z.array(z.string().min(1)).default([]),
      /** The scheduled cloud deployment measures freshness after each scan (false: the scan only). */
      scheduled: z.boolean().default(true),
      /**
       * Where each store's exposure goes as CloudWatch metrics (the cloud deployment always puts
       * them; the CLI with --put-metrics): the namespace, and the region (default: the
       * deployment's region, or the first primary region from the CLI).
       */
      metrics: z
        .strictObject({ namespace: z.string().min(1).max(255).default("drctl"), region: region.optional() })
        .prefault({}),
      /** Where `drctl freshness --canary --execute` may write its markers, and nowhere else. */
      canary: z
        .strictObject({
          /** A DynamoDB global table (its primary-region name); markers are items with a drctl-canary key. */
          table: z
            .strictObject({ name: z.string().min(1), region, key: z.string().min(1).default("pk") })
            .optional(),
          /** A replicated bucket and the prefix markers go under. */
          bucket: z
            .strictObject({
              name: z.string().min(3),
              region,
              prefix: z.string().min(1).default("drctl-canary/"),
            })
            .optional(),
          /** How often the standby is read while waiting for a marker. */
          poll: duration.default(1),
          /** How long to wait before reporting the lag as at least this. */
          timeout: duration.default(120),
        })
        .optional(),
    })
    .prefault({}),
  /**
   * Notifications. None without this block: the email goes out (to the outbox unless another
   * transport is named) only when `email:` is given, the webhook only when `webhook:` is.
   */
  notify: z
    .strictObject({
      /** on-change: when a finding appeared or was resolved since the last stored scan. */
      when: anyCase(["on-change", "always", "never"]).default("on-change"),
      email: emailSchema.optional(),
      webhook: z
        .strictObject({ url: urlField(), format: anyCase(["slack", "teams"]).default("slack") })
        .optional(),
    })
    .optional()
    .superRefine((n, ctx) => {
      if (n && !n.email && !n.webhook)
        ctx.addIssue({
          code: "custom",
          message: "names no channel: expected email: (outbox, smtp or ses) or webhook:",
        });
    })
    .transform((n) => ({
      configured: n !== undefined,
      when: n?.when ?? ("on-change" as const),
      /** `enabled` is false when drctl.yaml has no email block; the other fields are then the defaults. */
      email: n?.email ? { ...n.email, enabled: true } : { ...emailSchema.parse({}), enabled: false },
      ...(n?.webhook ? { webhook: n.webhook } : {}),
    })),
  /**
   * Failover started by CloudWatch alarms (the cloud deployment's alarm topic): which alarms
   * start which runbook, and whether the run goes at once or waits for an operator's approval.
   */
  triggers: z
    .array(
      z.strictObject({
        /** Alarm names; * matches any text. */
        alarms: z.array(z.string().min(1)).min(1, { message: "expected at least one alarm name" }),
        /** The runbook, relative to the config file (the deployment bundles it). */
        runbook: bundledRunbook,
        /** execute: run at once; approve: start at an approval gate (drctl runbook approve RUN approve-start). */
        policy: anyCase(["execute", "approve"]).default("approve"),
        /** Alarms for the same application within this window start no second run. */
        windowMinutes: z
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 60)
          .default(60),
        /** An approval not given in this time ends the run (nothing changed, lock released). */
        approvalTimeoutMinutes: z
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 60)
          .default(120),
        /** Values for the runbook's config: block, as --set would give them. */
        set: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
        /** SNS topic told when a run starts, waits for approval and ends. */
        notifyTopicArn: arn("an SNS topic ARN").optional(),
      }),
    )
    .default([]),
  /**
   * Runbooks on a schedule in the cloud deployment (an image lifecycle, a drill): each an
   * EventBridge rule that starts the failover workflow, as an alarm trigger does; one run at a
   * time per application (the runbook's lock).
   */
  schedules: z
    .array(
      z.strictObject({
        /** The schedule's name: the rule's, and how its runs are told apart. */
        name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, {
          message: "expected a name of letters, digits, - and _ (at most 64)",
        }),
        runbook: bundledRunbook,
        /** When it runs: cron(minutes hours day-of-month month day-of-week year), in UTC. */
        cron: cronExpression,
        /** Values for the runbook's config: block, as --set would give them. */
        set: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
        /** The SNS topic told when a run fails, is not started or waits in doubt (default: the triggers' topic, if they name one). */
        notifyTopicArn: arn("an SNS topic ARN").optional(),
      }),
    )
    .default([])
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((s, i) => {
        if (seen.has(s.name))
          ctx.addIssue({
            code: "custom",
            path: [i, "name"],
            message: `expected a name no other schedule has; ${s.name} is taken`,
          });
        seen.add(s.name);
      });
    }),
  suppressions: z
    .array(
      z.strictObject({
        /** A rule id; * matches any text (listener.*). It must name at least one rule (checked by configSchemaFor). */
        rule: z.string().min(1),
        /** The pair's name or primary ARN, * wildcards allowed; default every pair. */
        pair: z.string().min(1).optional(),
        /** A finding path, * wildcards allowed; default every path. */
        path: z.string().min(1).optional(),
        reason: z.string().min(1, { message: "expected a reason: say why this difference is accepted" }),
        /** YYYY-MM-DD; from that day on the finding is reported again. */
        expires: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "expected a date as YYYY-MM-DD" })
          .refine(isCalendarDate, {
            message: "expected a real calendar date as YYYY-MM-DD (such as 2026-12-31)",
          })
          .optional(),
      }),
    )
    .default([]),
});

export type DrctlConfig = z.infer<typeof configSchema>;

// The config's suppressions are the core's: a change to either that breaks the other fails to compile.
const _suppressionsFit: Suppression[] = [] as DrctlConfig["suppressions"];
void _suppressionsFit;

/**
 * The schema with what only the catalogue knows checked too: every suppression names at least one
 * rule id of `ruleIds` (handed in by whoever loads the config, so the config never imports an engine).
 */
export function configSchemaFor(ruleIds: readonly string[]) {
  return configSchema.superRefine((config, ctx) => {
    config.suppressions.forEach((s, i) => {
      if (ruleIds.some((id) => glob(s.rule).test(id))) return;
      const near = closest(s.rule, ruleIds);
      ctx.addIssue({
        code: "custom",
        path: ["suppressions", i, "rule"],
        message: `expected a rule id (or a pattern such as listener.*), found "${s.rule}", which names no rule${near ? `; did you mean ${near}?` : ""} (every rule: docs/rules.md)`,
      });
    });
  });
}

/**
 * Where a schedule's failures are told: its own topic, else the triggers' topic when they all name
 * the same one.
 */
export function scheduleTopic(
  config: DrctlConfig,
  schedule: DrctlConfig["schedules"][number],
): string | undefined {
  if (schedule.notifyTopicArn) return schedule.notifyTopicArn;
  const topics = [...new Set(config.triggers.flatMap((t) => (t.notifyTopicArn ? [t.notifyTopicArn] : [])))];
  return topics.length === 1 ? topics[0] : undefined;
}

export function primaryRegions(config: DrctlConfig): string[] {
  const p = config.regions.primary;
  return Array.isArray(p) ? p : [p];
}
