/**
 * The comparisons a DB instance and a DB cluster share (engine, version, encryption, backups,
 * deletion protection, IAM authentication, parameters), written once over what both normalize
 * alike. Each type keeps its own rules (ids, titles, remediation) around these checks; this folder
 * imports nothing of either type.
 */
import { diffMaps, differ, show } from "../../core/compare.js";
import type { Difference } from "../../core/rule.js";

/** What a DB instance and a DB cluster both normalize, under the same names. */
export interface DbSettings {
  engine: string;
  engineVersion: string;
  majorVersion: string;
  encrypted: boolean;
  backupRetentionDays: number;
  deletionProtection: boolean;
  iamAuth: boolean;
  parameters: Record<string, string>;
}

type EngineVersion = Pick<DbSettings, "engine" | "engineVersion" | "majorVersion">;

const onOff = (on: boolean) => (on ? "on" : "off");

/** A setting both sides have on or off, as a difference in words. */
export function switchDiffers(path: string, what: string, p: boolean, s: boolean): Difference[] {
  return differ(path, p, s, `${what} is ${onOff(s)} on the standby, ${onOff(p)} on the primary`);
}

export const engineDiffers = (p: Pick<DbSettings, "engine">, s: Pick<DbSettings, "engine">) =>
  differ("engine", p.engine, s.engine, `the standby's engine is ${s.engine}, the primary's ${p.engine}`);

/** The engine version: another major version is high, another minor version of the same major low. */
export function versionDiffers(p: EngineVersion, s: EngineVersion): Difference[] {
  if (p.engineVersion === s.engineVersion || p.engine !== s.engine) return [];
  const major = p.majorVersion !== s.majorVersion;
  return [
    {
      path: "engineVersion",
      primary: p.engineVersion,
      secondary: s.engineVersion,
      message: `the standby runs ${s.engine} ${s.engineVersion}, the primary ${p.engineVersion}${major ? " (another major version)" : " (the same major version)"}`,
      ...(major ? {} : { severity: "low" as const }),
    },
  ];
}

export const encryptionDiffers = (p: DbSettings, s: DbSettings) =>
  switchDiffers("encrypted", "storage encryption", p.encrypted, s.encrypted);

export const deletionProtectionDiffers = (p: DbSettings, s: DbSettings) =>
  switchDiffers("deletionProtection", "deletion protection", p.deletionProtection, s.deletionProtection);

export const iamAuthDiffers = (p: DbSettings, s: DbSettings) =>
  switchDiffers("iamAuth", "IAM database authentication", p.iamAuth, s.iamAuth);

const days = (n: number) => `${n} ${n === 1 ? "day" : "days"}`;

/** Days of automated backups kept, in words. */
export const retentionDiffers = (p: DbSettings, s: DbSettings) =>
  differ(
    "backupRetentionDays",
    p.backupRetentionDays,
    s.backupRetentionDays,
    `the standby keeps automated backups ${days(s.backupRetentionDays)}, the primary ${days(p.backupRetentionDays)}`,
  );

/**
 * The parameters people set, by name. Settings of one engine mean nothing to another: with
 * another engine (reported on its own) they are not compared.
 */
export const parametersDiffer = (p: DbSettings, s: DbSettings): Difference[] =>
  p.engine !== s.engine
    ? []
    : diffMaps("parameters", p.parameters, s.parameters, (name, a, b) =>
        a === undefined
          ? `the standby sets parameter ${name} to ${show(b)}, the primary leaves it at the engine default`
          : b === undefined
            ? `the standby leaves parameter ${name} at the engine default, the primary sets it to ${show(a)}`
            : `parameter ${name} is ${show(b)} on the standby, ${show(a)} on the primary`,
      );

/**
 * The major version of an engine version: PostgreSQL 10 and later count the first number (15.4 ->
 * 15), every other engine and PostgreSQL before 10 the first two (8.0.35 -> 8.0, 9.6.24 -> 9.6;
 * SQL Server 15.00.4345.5.v1 -> 15.00).
 */
export function majorVersion(engine: string, version: string): string {
  const parts = version.split(".");
  const first = parts[0] ?? "";
  if (/postgres/.test(engine) && Number(first) >= 10) return first;
  return parts.slice(0, 2).join(".");
}
