/**
 * A step's parameters as a run or a plan takes them: references resolved (outputs of earlier
 * steps, config values, ${ssm:...} read in the step's region), checked against the kind, and
 * as the journal keeps them (references kept, secrets never).
 */
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { AwsClients } from "../aws/client-factory.js";
import { awsErrorCode } from "../aws/errors.js";
import { InputError } from "../errors.js";
import { paramIssueProblems, pathLabel } from "./check.js";
import type { LoadedRunbook } from "./load.js";
import { resolveParams, type ValueSources } from "./resolve.js";
import type { StepSpec } from "./schema.js";
import { REDACTED, type Secrets } from "./secrets.js";
import type { StepKind } from "./step.js";

/** ${ssm:/path} values, read in the step's region with their real type. */
export function ssmSource(aws: AwsClients, region: string): ValueSources["ssm"] {
  return async (name) => {
    try {
      const out = await aws
        .get(SSMClient, region)
        .send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      if (out.Parameter?.Value === undefined) return undefined;
      return { value: out.Parameter.Value, secure: out.Parameter.Type === "SecureString" };
    } catch (err) {
      if (/^Parameter(Version)?NotFound$/.test(awsErrorCode(err))) return undefined;
      throw err;
    }
  };
}

const at = (obj: unknown, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>(
      (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
      obj,
    );
function setAt(obj: unknown, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop() ?? "";
  const parent = keys.reduce<unknown>(
    (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
    obj,
  );
  if (parent && typeof parent === "object" && last in parent)
    (parent as Record<string, unknown>)[last] = value;
}

/** A step's parameters: resolved (to run with) and as the journal keeps them (references, no secrets). */
export async function paramsOf(
  step: StepSpec,
  kind: StepKind<unknown>,
  loaded: LoadedRunbook,
  aws: AwsClients,
  region: string,
  secrets: Secrets,
  outputs: (id: string) => Record<string, string> | undefined,
): Promise<{ params: unknown; journal: Record<string, unknown> }> {
  const file = loaded.file;
  const resolved = await resolveParams(
    step.params,
    { outputs, config: loaded.runbook.config, ssm: ssmSource(aws, region) },
    `${file}: step "${step.id}"`,
    { commands: kind.commands ?? [] },
  );
  for (const s of resolved.secrets) secrets.add(s);
  const parsed = kind.params.safeParse(resolved.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const problem = issue ? paramIssueProblems(kind, resolved.value, issue)[0] : undefined;
    const path = problem?.path ?? [];
    const index = loaded.runbook.steps.findIndex((s) => s.id === step.id);
    const where = index >= 0 && loaded.lineOf ? loaded.lineOf(["steps", index, "params", ...path]) : file;
    throw new InputError(
      `${where}: step "${step.id}" (${step.kind}): params${path.length ? `.${pathLabel(path)}` : ""}: ${problem?.message ?? "invalid"}`,
    );
  }
  const journal = structuredClone(resolved.journal) as Record<string, unknown>;
  // A secret parameter is kept only as the reference it was written as, never as its value.
  for (const path of kind.secretParams ?? []) {
    const value = at(parsed.data, path);
    if (typeof value === "string") secrets.add(value);
    const kept = at(journal, path);
    if (typeof kept === "string" && !kept.includes("${ssm:")) setAt(journal, path, REDACTED);
  }
  return { params: parsed.data, journal: secrets.scrubDeep(journal) };
}

/** Before a run, outputs of earlier steps are not known: plans show where they will come from. */
export const placeholder = (id: string) =>
  new Proxy(
    {},
    { get: (_t, key) => (typeof key === "string" ? `<${key} from ${id}>` : undefined) },
  ) as Record<string, string>;

export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
