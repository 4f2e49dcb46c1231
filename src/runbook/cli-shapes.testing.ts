/**
 * For tests: whether an AWS CLI command line drctl prints can run as printed. The line is split
 * as a POSIX shell splits it (quotes, command substitutions, variables, ;, |, &&, redirections);
 * each `aws SERVICE OPERATION --args` in it, command substitutions included, is checked against
 * the operation's input shape as the AWS SDK declares it (node_modules/@aws-sdk/client-*
 * /dist-types, read as syntax): the operation (or waiter) exists, every flag is a member of its
 * input (or a global option), every required member is given, and literal values fit their
 * member (a number, an enum value, a timestamp, an ARN where the CLI wants one, a JSON or
 * shorthand structure with its required members). CLI names are the SDK's member names put
 * through botocore's xform_name, as the CLI makes them.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

// ---------------------------------------------------------------------------------------------
// The shell: words, commands, substitutions.

/** A word as the shell would pass it: `dynamic` when part of it comes from $(...) or $VAR. */
export interface ShellWord {
  text: string;
  dynamic: boolean;
}

export interface ParsedLine {
  /** Simple commands, each a list of words (redirection targets left out). */
  commands: ShellWord[][];
  /** The text of every command substitution, to be parsed in turn. */
  substitutions: string[];
  /** Files the line writes by redirection (`> payload.json`). */
  writes: string[];
}

const OPERATORS = new Set([";", "|", "&", "\n"]);

/** Splits a line as a POSIX shell does; throws on what a shell would refuse (an open quote). */
export function parseShell(line: string): ParsedLine {
  const out: ParsedLine = { commands: [], substitutions: [], writes: [] };
  let i = 0;
  let command: ShellWord[] = [];
  let redirect = false;
  const end = () => {
    if (command.length) out.commands.push(command);
    command = [];
  };
  /** The index just past the `)` closing the substitution that starts at `from` (after "$("). */
  const closing = (from: number): number => {
    let depth = 1;
    let j = from;
    while (j < line.length) {
      const c = line[j];
      if (c === "'") j = line.indexOf("'", j + 1);
      else if (c === "\\") j++;
      else if (c === '"') {
        j++;
        while (j < line.length && line[j] !== '"') {
          if (line[j] === "\\") j++;
          else if (line.startsWith("$(", j)) j = closing(j + 2) - 1;
          j++;
        }
      } else if (c === "(") depth++;
      else if (c === ")" && --depth === 0) return j + 1;
      if (j < 0) throw new Error(`unterminated quote in: ${line}`);
      j++;
    }
    throw new Error(`unterminated $( in: ${line}`);
  };
  const dollar = (word: ShellWord): boolean => {
    if (line.startsWith("$(", i)) {
      const to = closing(i + 2);
      out.substitutions.push(line.slice(i + 2, to - 1));
      word.text += "\u0000";
      word.dynamic = true;
      i = to;
      return true;
    }
    const v = /^\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)/.exec(line.slice(i));
    if (!v) return false;
    word.text += "\u0000";
    word.dynamic = true;
    i += v[0].length;
    return true;
  };
  while (i < line.length) {
    const c = line[i] as string;
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < line.length && line[i] !== "\n") i++;
      continue;
    }
    if (OPERATORS.has(c)) {
      end();
      i++;
      continue;
    }
    if (c === ">" || c === "<") {
      redirect = true;
      i += line[i + 1] === ">" ? 2 : 1;
      continue;
    }
    if (c === "(" || c === ")" || c === "`") throw new Error(`unexpected ${c} at ${i} in: ${line}`);
    const word: ShellWord = { text: "", dynamic: false };
    while (i < line.length) {
      const d = line[i] as string;
      if (d === " " || d === "\t" || OPERATORS.has(d) || d === ">" || d === "<") break;
      if (d === "(" || d === ")" || d === "`") throw new Error(`unexpected ${d} at ${i} in: ${line}`);
      if (d === "'") {
        const close = line.indexOf("'", i + 1);
        if (close < 0) throw new Error(`unterminated ' in: ${line}`);
        word.text += line.slice(i + 1, close);
        i = close + 1;
      } else if (d === '"') {
        i++;
        while (line[i] !== '"') {
          if (i >= line.length) throw new Error(`unterminated " in: ${line}`);
          if (line[i] === "`") throw new Error(`a backquote in double quotes: ${line}`);
          if (line[i] === "\\" && '$`"\\\n'.includes(line[i + 1] ?? "")) {
            word.text += line[i + 1];
            i += 2;
          } else if (line[i] === "$" && dollar(word)) continue;
          else word.text += line[i++];
        }
        i++;
      } else if (d === "\\") {
        word.text += line[i + 1] ?? "";
        i += 2;
      } else if (d === "$" && dollar(word)) continue;
      else word.text += line[i++];
    }
    if (redirect) {
      redirect = false;
      if (!word.dynamic) out.writes.push(word.text);
    } else command.push(word);
  }
  end();
  return out;
}

// ---------------------------------------------------------------------------------------------
// The SDK's input shapes, read as syntax from the dist-types.

export type Shape =
  | { kind: "string"; values?: string[] }
  | { kind: "number" | "boolean" | "timestamp" | "blob" | "any" }
  | { kind: "list"; member: Shape }
  | { kind: "map"; value: Shape }
  | { kind: "structure"; name: string; members: Map<string, { shape: Shape; required: boolean }> };

/** The CLI's package for each service name drctl prints. */
const PACKAGES: Record<string, string> = {
  autoscaling: "client-auto-scaling",
  cloudwatch: "client-cloudwatch",
  ec2: "client-ec2",
  elbv2: "client-elastic-load-balancing-v2",
  fis: "client-fis",
  globalaccelerator: "client-global-accelerator",
  lambda: "client-lambda",
  rds: "client-rds",
  route53: "client-route-53",
  sns: "client-sns",
  ssm: "client-ssm",
};

/** botocore's xform_name with "-": DBInstanceIdentifier -> db-instance-identifier. */
export function xformName(name: string): string {
  let n = name;
  const special = /[A-Z]{2,}s$/.exec(n);
  if (special) n = `${n.slice(0, -special[0].length)}-${special[0].toLowerCase()}`;
  return n
    .replace(/(.)([A-Z][a-z]+)/g, "$1-$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase();
}

type Decl = ts.InterfaceDeclaration | ts.TypeAliasDeclaration | ts.VariableDeclaration;

class SdkPackage {
  private readonly decls = new Map<string, Decl>();
  readonly operations = new Map<string, string>();
  readonly waiters = new Map<string, string>();
  private readonly shapes = new Map<string, Shape>();

  constructor(private readonly dir: string) {
    for (const f of readdirSync(join(dir, "models"))) this.index(join(dir, "models", f));
    for (const f of readdirSync(join(dir, "commands"))) {
      const m = /^(\w+)Command\.d\.ts$/.exec(f);
      if (m?.[1]) this.operations.set(xformName(m[1]), m[1]);
    }
    if (existsSync(join(dir, "waiters")))
      for (const f of readdirSync(join(dir, "waiters"))) {
        const m = /^waitFor(\w+)\.d\.ts$/.exec(f);
        const text = readFileSync(join(dir, "waiters", f), "utf8");
        const input = /input: (\w+)CommandInput/.exec(text)?.[1];
        if (m?.[1] && input) this.waiters.set(xformName(m[1]), input);
      }
  }

  private index(file: string): void {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022);
    for (const s of source.statements) {
      if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) this.decls.set(s.name.text, s);
      else if (ts.isVariableStatement(s))
        for (const d of s.declarationList.declarations)
          if (ts.isIdentifier(d.name)) this.decls.set(`const ${d.name.text}`, d);
    }
  }

  /** The input shape of an operation (its SDK name, PromoteReadReplica). */
  input(operation: string): Shape {
    const file = join(this.dir, "commands", `${operation}Command.d.ts`);
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022);
    for (const s of source.statements)
      if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) this.decls.set(s.name.text, s);
    return this.named(`${operation}CommandInput`);
  }

  private named(name: string): Shape {
    const known = this.shapes.get(name);
    if (known) return known;
    if (name === "Date") return { kind: "timestamp" };
    const decl = this.decls.get(name);
    if (!decl) return { kind: "any" };
    if (ts.isInterfaceDeclaration(decl)) {
      const shape: Shape = { kind: "structure", name, members: new Map() };
      this.shapes.set(name, shape);
      for (const h of decl.heritageClauses ?? []) for (const t of h.types) this.merge(shape, this.node(t));
      this.addMembers(shape, decl.members);
      return shape;
    }
    if (ts.isTypeAliasDeclaration(decl)) {
      const t = decl.type;
      // An enum: (typeof X)[keyof typeof X], its values those of `declare const X`.
      if (ts.isIndexedAccessTypeNode(t)) {
        const c = this.decls.get(`const ${name}`);
        const literal = c && ts.isVariableDeclaration(c) ? c.type : undefined;
        const values =
          literal && ts.isTypeLiteralNode(literal)
            ? literal.members.flatMap((m) =>
                ts.isPropertySignature(m) &&
                m.type &&
                ts.isLiteralTypeNode(m.type) &&
                ts.isStringLiteral(m.type.literal)
                  ? [m.type.literal.text]
                  : [],
              )
            : [];
        return { kind: "string", values };
      }
      const shape = this.node(t);
      this.shapes.set(name, shape);
      return shape;
    }
    return { kind: "any" };
  }

  private addMembers(shape: Extract<Shape, { kind: "structure" }>, members: ts.NodeArray<ts.TypeElement>) {
    for (const m of members)
      if (ts.isPropertySignature(m) && m.type && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)))
        shape.members.set(m.name.text, { shape: this.node(m.type), required: !m.questionToken });
  }

  private merge(into: Extract<Shape, { kind: "structure" }>, from: Shape): void {
    if (from.kind === "structure") for (const [k, v] of from.members) into.members.set(k, v);
  }

  private node(t: ts.TypeNode): Shape {
    if (ts.isUnionTypeNode(t)) {
      const kept = t.types.filter((x) => x.kind !== ts.SyntaxKind.UndefinedKeyword);
      if (kept.every((x) => ts.isLiteralTypeNode(x) && ts.isStringLiteral(x.literal)))
        return {
          kind: "string",
          values: kept.map((x) => ((x as ts.LiteralTypeNode).literal as ts.StringLiteral).text),
        };
      return kept[0] ? this.node(kept[0]) : { kind: "any" };
    }
    if (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal))
      return { kind: "string", values: [t.literal.text] };
    if (ts.isArrayTypeNode(t)) return { kind: "list", member: this.node(t.elementType) };
    if (ts.isParenthesizedTypeNode(t)) return this.node(t.type);
    if (ts.isTypeLiteralNode(t)) {
      const shape: Shape = { kind: "structure", name: "(literal)", members: new Map() };
      this.addMembers(shape, t.members);
      return shape;
    }
    if (ts.isIntersectionTypeNode(t)) {
      const shape: Shape = { kind: "structure", name: "(intersection)", members: new Map() };
      for (const x of t.types) this.merge(shape, this.node(x));
      return shape;
    }
    if (ts.isTypeReferenceNode(t) || ts.isExpressionWithTypeArguments(t)) {
      const ref = ts.isTypeReferenceNode(t) ? t.typeName : t.expression;
      const name = ts.isIdentifier(ref) ? ref.text : ts.isQualifiedName(ref) ? ref.right.text : "";
      const args = t.typeArguments ?? [];
      if (name === "Omit" && args[0] && args[1]) {
        const base = this.node(args[0]);
        const drop =
          ts.isLiteralTypeNode(args[1]) && ts.isStringLiteral(args[1].literal) ? args[1].literal.text : "";
        if (base.kind !== "structure") return base;
        return { ...base, members: new Map([...base.members].filter(([k]) => k !== drop)) };
      }
      if (name === "Record" && args[1]) return { kind: "map", value: this.node(args[1]) };
      if (/BlobPayloadInputTypes|Uint8Array|StreamingBlob/.test(name)) return { kind: "blob" };
      return this.named(name);
    }
    switch (t.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { kind: "string" };
      case ts.SyntaxKind.NumberKeyword:
        return { kind: "number" };
      case ts.SyntaxKind.BooleanKeyword:
        return { kind: "boolean" };
      default:
        return { kind: "any" };
    }
  }
}

const packages = new Map<string, SdkPackage>();
function sdk(service: string): SdkPackage | undefined {
  const name = PACKAGES[service];
  if (!name) return undefined;
  let p = packages.get(name);
  if (!p) {
    p = new SdkPackage(join(process.cwd(), "node_modules", "@aws-sdk", name, "dist-types"));
    packages.set(name, p);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// The check.

/** The CLI's own options, any command. */
const GLOBAL = new Map<string, boolean>([
  ["region", true],
  ["output", true],
  ["query", true],
  ["profile", true],
  ["endpoint-url", true],
  ["no-paginate", false],
  ["no-cli-pager", false],
  ["debug", false],
]);
/** Positional arguments the CLI adds to an operation: `aws lambda invoke ... OUTFILE`. */
const POSITIONAL: Record<string, number> = { "lambda invoke": 1 };

/** A literal value a person would have to replace: NAME, IMAGE, <endpoint of step x>, ZONE-ID-OF-... */
const PLACEHOLDER = /^[A-Z][A-Z_-]{2,}$|<[^>]*>|YYYY|ZONE-ID|CHANGE-ID/;

function checkValue(value: unknown, shape: Shape, where: string, issues: string[], member = ""): void {
  switch (shape.kind) {
    case "structure": {
      if (!value || typeof value !== "object" || Array.isArray(value)) {
        issues.push(`${where}: expected a structure ${shape.name}, got ${JSON.stringify(value)}`);
        return;
      }
      const given = value as Record<string, unknown>;
      for (const [k, m] of shape.members)
        if (m.required && given[k] === undefined) issues.push(`${where}: ${shape.name}.${k} is required`);
      for (const [k, v] of Object.entries(given)) {
        const m = shape.members.get(k);
        if (!m) issues.push(`${where}: ${shape.name} has no member ${k}`);
        else checkValue(v, m.shape, `${where}.${k}`, issues, k);
      }
      return;
    }
    case "list":
      if (!Array.isArray(value)) issues.push(`${where}: expected a list, got ${JSON.stringify(value)}`);
      else value.forEach((v, i) => checkValue(v, shape.member, `${where}[${i}]`, issues, member));
      return;
    case "number":
      if (typeof value !== "number" && !(typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)))
        issues.push(`${where}: expected a number, got ${JSON.stringify(value)}`);
      return;
    case "timestamp":
      if (typeof value !== "string" || Number.isNaN(Date.parse(value)))
        issues.push(`${where}: expected a timestamp, got ${JSON.stringify(value)}`);
      return;
    case "string":
      if (typeof value !== "string") {
        issues.push(`${where}: expected a string, got ${JSON.stringify(value)}`);
        return;
      }
      if (shape.values?.length) {
        if (!shape.values.includes(value))
          issues.push(`${where}: ${value} is none of ${shape.values.join(", ")}`);
      } else if (!value.includes("\u0000") && PLACEHOLDER.test(value))
        issues.push(`${where}: ${JSON.stringify(value)} is a placeholder, not a value`);
      else if (/(Arn|ARN)$/.test(member) && !value.includes("\u0000") && !value.startsWith("arn:"))
        issues.push(`${where}: expected an ARN, got the name ${JSON.stringify(value)}`);
      return;
    default:
  }
}

/** A CLI shorthand value (Name=a,Value=b) as a structure; a scalar for a list member is a list of one. */
function shorthand(text: string, shape: Shape): Record<string, unknown> | string {
  if (!/^[A-Za-z]+=/.test(text)) return text;
  const members = shape.kind === "structure" ? shape.members : new Map<string, { shape: Shape }>();
  return Object.fromEntries(
    text.split(",").map((kv) => {
      const [k, v] = [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)];
      return [k, members.get(k)?.shape.kind === "list" ? [v] : v];
    }),
  );
}

/** A flag's value(s) as the member's value: JSON, shorthand, a list of words, or text. */
function valueOf(
  words: ShellWord[],
  shape: Shape,
  files: ReadonlySet<string>,
  where: string,
  issues: string[],
) {
  const texts = words.map((w) => w.text);
  if (words.some((w) => w.dynamic)) return undefined;
  const file = /^fileb?:\/\/(.+)$/.exec(texts[0] ?? "")?.[1];
  if (file) {
    if (!files.has(file)) issues.push(`${where}: reads ${file}, which nothing printed writes`);
    return undefined;
  }
  const one = texts[0] ?? "";
  if (shape.kind === "list") {
    if (texts.length === 1 && one.startsWith("[")) return JSON.parse(one) as unknown;
    return texts.map((t) =>
      shape.member.kind === "structure"
        ? t.startsWith("{")
          ? (JSON.parse(t) as unknown)
          : shorthand(t, shape.member)
        : t,
    );
  }
  if (texts.length > 1) issues.push(`${where}: takes one value, got ${texts.length}`);
  if (shape.kind === "structure")
    return one.startsWith("{") ? (JSON.parse(one) as unknown) : shorthand(one, shape);
  return one;
}

/** Checks one `aws ...` command (its words after "aws"). */
function checkAws(words: ShellWord[], files: ReadonlySet<string>, issues: string[]): string {
  const [service, operation, ...rest] = words.map((w) => w);
  const label = `aws ${service?.text ?? ""} ${operation?.text ?? ""}`;
  const pkg = service && sdk(service.text);
  if (!pkg || !operation) {
    issues.push(`${label}: no SDK package known for the service`);
    return label;
  }
  let args = rest;
  let input: Shape;
  let full = label;
  if (operation.text === "wait") {
    const waiter = args[0]?.text ?? "";
    full = `${label} ${waiter}`;
    const op = pkg.waiters.get(waiter);
    if (!op) {
      issues.push(`${full}: no such waiter`);
      return full;
    }
    input = pkg.input(op);
    args = args.slice(1);
  } else {
    const op = pkg.operations.get(operation.text);
    if (!op) {
      issues.push(`${label}: no such operation`);
      return label;
    }
    input = pkg.input(op);
  }
  if (input.kind !== "structure") return full;
  const byFlag = new Map([...input.members].map(([name, m]) => [xformName(name), { name, ...m }]));
  const given = new Set<string>();
  let positional = 0;
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as ShellWord;
    if (!w.text.startsWith("--")) {
      positional++;
      continue;
    }
    const flag = w.text.slice(2);
    const member = byFlag.get(flag) ?? (flag.startsWith("no-") ? byFlag.get(flag.slice(3)) : undefined);
    // A list takes every word up to the next flag, a boolean none, anything else one.
    const takes = GLOBAL.has(flag)
      ? GLOBAL.get(flag)
        ? 1
        : 0
      : member?.shape.kind === "boolean"
        ? 0
        : member?.shape.kind === "list"
          ? Infinity
          : 1;
    const values: ShellWord[] = [];
    while (values.length < takes && i + 1 < args.length && !(args[i + 1] as ShellWord).text.startsWith("--"))
      values.push(args[++i] as ShellWord);
    if (GLOBAL.has(flag)) {
      if (takes !== values.length) issues.push(`${full}: --${flag} needs a value`);
      continue;
    }
    if (!member) {
      issues.push(`${full}: --${flag} is no member of its input`);
      continue;
    }
    given.add(member.name);
    const where = `${full} --${flag} (${member.name})`;
    if (member.shape.kind === "boolean") continue;
    if (values.length === 0) {
      issues.push(`${where}: no value`);
      continue;
    }
    try {
      const v = valueOf(values, member.shape, files, where, issues);
      if (v !== undefined) checkValue(v, member.shape, where, issues, member.name);
    } catch (err) {
      issues.push(`${where}: not JSON the CLI can read: ${(err as Error).message}`);
    }
  }
  for (const [name, m] of input.members)
    if (m.required && !given.has(name)) issues.push(`${full}: --${xformName(name)} (${name}) is required`);
  const allowed = operation.text === "wait" ? 0 : (POSITIONAL[`${service.text} ${operation.text}`] ?? 0);
  if (positional !== allowed)
    issues.push(`${full}: ${positional} positional argument(s), expected ${allowed}`);
  return full;
}

const KEYWORDS = new Set(["do", "then", "else", "!"]);

/**
 * Checks the lines of a block, in order (a file one line writes, a later one may read). Returns
 * the AWS CLI commands found and every problem.
 */
export function checkCommands(lines: readonly string[]): { commands: string[]; issues: string[] } {
  const issues: string[] = [];
  const commands: string[] = [];
  // What the line pipes in: `printf '%s' ... | aws ... --value file:///dev/stdin`.
  const files = new Set<string>(["/dev/stdin"]);
  const check = (text: string) => {
    let parsed: ParsedLine;
    try {
      parsed = parseShell(text);
    } catch (err) {
      issues.push((err as Error).message);
      return;
    }
    for (const f of parsed.writes) files.add(f);
    for (const c of parsed.commands) {
      let words = c;
      while (words[0] && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0].text) || KEYWORDS.has(words[0].text)))
        words = words.slice(1);
      if (words[0]?.text === "for") continue;
      if (words[0]?.text === "aws") commands.push(checkAws(words.slice(1), files, issues));
    }
    for (const s of parsed.substitutions) check(s);
  };
  for (const line of lines) check(line);
  return { commands, issues };
}
