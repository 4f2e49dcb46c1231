import { diffMaps, diffSets, differ, show } from "../../core/compare.js";
import type { Difference, Rule } from "../../core/rule.js";
import { concurrencyQuotaCheck } from "./concurrency.js";
import { PUBLISHED_VERSIONS, type NormalizedFunction, type QueueSource } from "./normalize.js";

type FnRule = Rule<NormalizedFunction>;

/** The attributes compared as one value each. */
type ScalarKey = {
  [K in keyof NormalizedFunction]-?: NormalizedFunction[K] extends string | number | boolean | null
    ? K
    : never;
}[keyof NormalizedFunction];

/** A rule that compares one setting and says both values in words. */
function setting(
  what: ScalarKey,
  label: string,
  value: (v: NormalizedFunction[ScalarKey]) => string,
  info: Omit<FnRule, "check" | "resourceType">,
): FnRule {
  return {
    ...info,
    resourceType: "lambda-function",
    check: (p, s) =>
      differ(
        what,
        p[what],
        s[what],
        `the standby's ${label} is ${value(s[what])}, the primary's ${value(p[what])}`,
      ),
  };
}

const plain = (v: unknown) => show(v);
const inUnit = (u: string) => (v: unknown) => (v === null ? "not reported" : `${show(v)} ${u}`);
const isSet = (v: unknown) => (v ? "set" : "not set");
const UPDATE = "aws lambda update-function-configuration --function-name <standby>";

const executions = (n: number) => (n === 0 ? "none" : `${n} executions`);
const total = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);

/**
 * Where the standby has less provisioned concurrency than the primary. Aliases named alike are
 * compared one by one (as much on another alias does not serve this one's traffic); what sits on
 * aliases or versions the other side does not name alike (an alias on one side, the version it
 * points to on the other; region-suffixed alias names) is compared as a total, so the same capacity
 * under another name is never said missing.
 */
function provisionedShortfalls(p: Record<string, number>, s: Record<string, number>): Difference[] {
  const shared = Object.keys(p).filter((k) => k in s);
  const byName = shared.sort().flatMap((key): Difference[] => {
    const [a, b] = [p[key] ?? 0, s[key] ?? 0];
    if (b >= a) return [];
    const on = key === PUBLISHED_VERSIONS ? "on its published versions" : `on alias ${key}`;
    return [
      {
        path: `provisionedConcurrency.${key}`,
        primary: a,
        secondary: b,
        message: `the standby's provisioned concurrency ${on} is ${executions(b)}, the primary's ${executions(a)}`,
      },
    ];
  });
  const rest = (m: Record<string, number>) =>
    Object.fromEntries(Object.entries(m).filter(([k]) => !shared.includes(k)));
  const [a, b] = [total(rest(p)), total(rest(s))];
  if (a === 0 || b >= a) return byName;
  const named = (m: Record<string, number>) => Object.keys(rest(m)).sort().join(", ") || "none";
  return [
    ...byName,
    {
      path: "provisionedConcurrency",
      primary: a,
      secondary: b,
      message: `the standby's provisioned concurrency is ${executions(b)} on aliases and versions the primary does not name alike (${named(s)}), the primary's ${executions(a)} (${named(p)})`,
    },
  ];
}

export const lambdaFunctionRules: FnRule[] = [
  {
    id: "lambda-function.concurrency-quota",
    resourceType: "lambda-function",
    severity: "high",
    title: "Standby region's concurrency quota against the primary's reservation",
    compares:
      "the primary's reserved concurrency against the standby account's concurrent executions in its region (Service Quotas, lambda L-B99A9384, applied else default; else GetAccountSettings) less what the region's other functions reserve (GetAccountSettings) less the 100 AWS keeps unreserved; a quota that cannot be read is a low finding saying so",
    rationale:
      "Lambda refuses a reservation that would leave fewer than 100 unreserved executions: the standby cannot be given the primary's concurrency, and throttles under its load, until the quota is raised, which can take days.",
    remediation:
      "Request an increase before it is needed: aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value N --region REGION (N: the total the finding names), or lower other functions' reservations there.",
    check: (p, s) =>
      concurrencyQuotaCheck(p.reservedConcurrency, s.reservedConcurrency, s.accountConcurrency),
  },
  setting("runtime", "runtime", plain, {
    id: "lambda-function.runtime",
    severity: "high",
    title: "Runtime",
    compares: "the Runtime of both functions (or that both are container images)",
    rationale:
      "Code written for one runtime version may fail or behave differently on another once the standby runs it.",
    remediation: `${UPDATE} --runtime <primary's runtime>.`,
  }),
  setting("architecture", "architecture", plain, {
    id: "lambda-function.architecture",
    severity: "high",
    title: "Instruction set architecture",
    compares: "Architectures (x86_64 or arm64)",
    rationale: "Native dependencies built for one architecture fail to load on the other.",
    remediation:
      "Deploy the standby's code with the primary's architecture (update-function-code --architectures).",
  }),
  setting("handler", "handler", plain, {
    id: "lambda-function.handler",
    severity: "high",
    title: "Handler",
    compares: "the Handler (the entry point the runtime calls)",
    rationale: "A different entry point runs different code, or none at all, when traffic moves.",
    remediation: `${UPDATE} --handler <primary's handler>.`,
  }),
  setting("memoryMb", "memory", inUnit("MB"), {
    id: "lambda-function.memory",
    severity: "high",
    title: "Memory size",
    compares: "MemorySize (which also sets the CPU share)",
    rationale:
      "Less memory means less CPU: the standby runs slower, times out or runs out of memory under the primary's load.",
    remediation: `${UPDATE} --memory-size <primary's size>.`,
  }),
  setting("timeoutSeconds", "timeout", inUnit("seconds"), {
    id: "lambda-function.timeout",
    severity: "high",
    title: "Timeout",
    compares: "Timeout of both functions",
    rationale:
      "A shorter timeout cuts off work the primary completes; a longer one changes retry and queue behaviour.",
    remediation: `${UPDATE} --timeout <primary's timeout>.`,
  }),
  setting("ephemeralStorageMb", "ephemeral storage (/tmp)", inUnit("MB"), {
    id: "lambda-function.ephemeral-storage",
    severity: "medium",
    title: "Ephemeral storage",
    compares: "EphemeralStorage size (/tmp)",
    rationale: "Work that fits in the primary's /tmp fails on a standby with less.",
    remediation: `${UPDATE} --ephemeral-storage Size=<primary's size>.`,
  }),
  {
    id: "lambda-function.reserved-concurrency",
    resourceType: "lambda-function",
    severity: "high",
    title: "Reserved concurrency",
    compares: "ReservedConcurrentExecutions (GetFunctionConcurrency), or that neither reserves any",
    rationale:
      "Reserved concurrency caps and guarantees how many copies run at once: a standby with less, or none while the account's pool is used by others, is throttled under the primary's load; 0 stops it entirely.",
    remediation:
      "aws lambda put-function-concurrency --function-name <standby> --reserved-concurrent-executions <primary's value> (or delete-function-concurrency).",
    check: (p, s) =>
      differ(
        "reservedConcurrency",
        p.reservedConcurrency,
        s.reservedConcurrency,
        `the standby's reserved concurrency is ${concurrencyWords(s.reservedConcurrency)}, the primary's ${concurrencyWords(p.reservedConcurrency)}`,
      ).map((d) => (s.reservedConcurrency === 0 ? { ...d, severity: "critical" as const } : d)),
  },
  {
    id: "lambda-function.provisioned-concurrency",
    resourceType: "lambda-function",
    severity: "high",
    title: "Provisioned concurrency",
    compares:
      "the provisioned concurrent executions requested on each alias, matched by name, and on published versions together (ListProvisionedConcurrencyConfigs): fewer on the standby's alias than on the primary's (more on another alias does not serve its traffic); what sits under names the other side lacks is compared as a total; a lower standby is information under `strategy: pilot-light` or `backup-restore`",
    rationale:
      "Provisioned concurrency keeps environments initialised: a standby with less starts cold under the primary's load, and its latency jumps at failover.",
    remediation:
      "aws lambda put-provisioned-concurrency-config --function-name <standby> --qualifier <alias> --provisioned-concurrent-executions <primary's value>.",
    check: (p, s, settings) => {
      const intended = settings.strategy === "pilot-light" || settings.strategy === "backup-restore";
      return provisionedShortfalls(p.provisionedConcurrency, s.provisionedConcurrency).map((d) =>
        intended ? { ...d, severity: "info" as const } : d,
      );
    },
  },
  setting("deadLetterQueue", "dead-letter queue", isSet, {
    id: "lambda-function.dead-letter-queue",
    severity: "high",
    title: "Dead-letter queue",
    compares: "whether each function has a DeadLetterConfig target (not its ARN, which is regional)",
    rationale:
      "Asynchronous events that fail every retry are kept by the primary and lost by a standby without one.",
    remediation: `${UPDATE} --dead-letter-config TargetArn=<queue or topic in the standby region>.`,
  }),
  setting("onFailureDestination", "on-failure destination", isSet, {
    id: "lambda-function.on-failure-destination",
    severity: "high",
    title: "On-failure destination",
    compares: "whether the asynchronous invocation config has an OnFailure destination (not its ARN)",
    rationale:
      "Failed asynchronous events the primary sends on for handling are dropped by a standby without a destination.",
    remediation:
      "aws lambda put-function-event-invoke-config --function-name <standby> --destination-config OnFailure={Destination=<ARN in the standby region>}.",
  }),
  {
    id: "lambda-function.vpc",
    resourceType: "lambda-function",
    severity: "high",
    title: "VPC attachment",
    compares:
      "whether each function is attached to a VPC, and how many subnets and security groups it uses (not their ids)",
    rationale:
      "A function outside the VPC cannot reach the private databases the primary reaches; one inside without a NAT cannot reach the internet; fewer subnets means fewer zones.",
    remediation: `${UPDATE} --vpc-config SubnetIds=<subnets>,SecurityGroupIds=<groups> as on the primary.`,
    check: vpcDifferences,
  },
  {
    id: "lambda-function.layers",
    resourceType: "lambda-function",
    severity: "high",
    title: "Layers",
    compares: "the layers by name and version (not their ARNs, which name the region and account)",
    rationale: "A missing layer or another version of it gives the standby's code other libraries, or none.",
    remediation:
      "Publish the layer version in the standby region and set it with update-function-configuration --layers.",
    check: (p, s) =>
      diffMaps("layers", p.layers, s.layers, (name, a, b) =>
        a === undefined
          ? `the standby has layer ${name} (version ${show(b)}) that the primary lacks`
          : b === undefined
            ? `the standby lacks layer ${name} (version ${show(a)} on the primary)`
            : `layer ${name} is version ${show(b)} on the standby, ${show(a)} on the primary`,
      ),
  },
  {
    id: "lambda-function.environment-names",
    resourceType: "lambda-function",
    severity: "high",
    title: "Environment variable names",
    compares:
      "the NAMES of the environment variables only: their values differ by region and may be secrets, and never appear in a finding",
    rationale:
      "Code that reads a variable the standby does not set fails or falls back to a default after failover.",
    remediation: `${UPDATE} --environment with the missing variables (values for the standby region).`,
    check: (p, s) =>
      diffSets(
        (name) => `environment.${name}`,
        p.environmentNames,
        s.environmentNames,
        "environment variable",
      ),
  },
  {
    id: "lambda-function.event-sources",
    resourceType: "lambda-function",
    severity: "high",
    title: "Event-source mappings",
    compares:
      "the event-source mappings by source type (sqs, kinesis, dynamodb, kafka, ...), batch size and state (not the source ARNs)",
    rationale:
      "A standby without the mapping, or with it disabled, consumes nothing after failover; another batch size changes throughput and retries.",
    remediation:
      "aws lambda create-event-source-mapping (or update-event-source-mapping --enabled/--batch-size) on the standby, from the standby region's source.",
    check: (p, s) =>
      diffMaps(
        "eventSources",
        p.eventSources,
        s.eventSources,
        (type, a, b) =>
          `the standby's ${type} event sources are ${show(b ?? [])}, the primary's ${show(a ?? [])}`,
      ),
  },
  {
    id: "lambda-function.sqs-visibility-timeout",
    resourceType: "lambda-function",
    severity: "high",
    title: "Queue visibility timeout against the function's timeout",
    compares:
      "on the standby, the visibility timeout of every SQS queue the function consumes against the function's timeout (at least the timeout; AWS recommends six times it)",
    rationale:
      "A message whose visibility timeout ends while the function still works on it is received again: processed twice, and sent to the dead-letter queue sooner.",
    remediation:
      "aws sqs set-queue-attributes --queue-url <standby queue> --attributes VisibilityTimeout=<6 x the function's timeout>, or lower the function's timeout.",
    check: (_p, s) => s.sqsSources.flatMap((q) => visibilityDifferences(s.timeoutSeconds, q)),
  },
];

function concurrencyWords(n: number | null): string {
  if (n === null) return "not reserved (the account's unreserved pool)";
  return n === 0 ? "0 (the function cannot run)" : `${n}`;
}

function vpcDifferences(p: NormalizedFunction, s: NormalizedFunction): Difference[] {
  const yes = (attached: boolean) => (attached ? "attached to a VPC" : "not attached to a VPC");
  const attached = differ(
    "vpc.attached",
    p.vpc.attached,
    s.vpc.attached,
    `the standby is ${yes(s.vpc.attached)}, the primary ${yes(p.vpc.attached)}`,
  );
  if (attached.length > 0 || !p.vpc.attached) return attached;
  return [
    ...differ(
      "vpc.subnets",
      p.vpc.subnets,
      s.vpc.subnets,
      `the standby uses ${s.vpc.subnets} subnets, the primary ${p.vpc.subnets}`,
    ),
    ...differ(
      "vpc.securityGroups",
      p.vpc.securityGroups,
      s.vpc.securityGroups,
      `the standby uses ${s.vpc.securityGroups} security groups, the primary ${p.vpc.securityGroups}`,
    ),
  ].map((d) => ({ ...d, severity: "medium" as const }));
}

function visibilityDifferences(timeout: number | null, q: QueueSource): Difference[] {
  const path = `sqsSources.${q.queue}.visibilityTimeout`;
  if (q.visibilityTimeoutSeconds === null)
    return [
      {
        path,
        primary: null,
        secondary: null,
        severity: "medium",
        message: `the visibility timeout of the standby's event-source queue ${q.queue} could not be read${q.error ? `: ${q.error}` : ""}`,
      },
    ];
  const visibility = q.visibilityTimeoutSeconds;
  if (timeout === null || visibility >= 6 * timeout) return [];
  const base = `the standby's event-source queue ${q.queue} has a visibility timeout of ${visibility} seconds and the standby function a timeout of ${timeout} seconds`;
  return [
    visibility < timeout
      ? {
          path,
          primary: timeout,
          secondary: visibility,
          message: `${base}: messages become visible again while the function still works on them`,
        }
      : {
          path,
          primary: timeout,
          secondary: visibility,
          severity: "low",
          message: `${base}: AWS recommends at least six times the function's timeout (${6 * timeout} seconds)`,
        },
  ];
}
