import { Option, type Command } from "commander";
import { InputError } from "../errors.js";
import { planDocument } from "../report/plan-document.js";
import { renderMarkdown } from "../report/plan-markdown.js";
import { drillVerdict, formatDrillText } from "../report/drill-text.js";
import { formatFreshnessText } from "../report/freshness-text.js";
import { formatScanText } from "../report/text.js";
import { diffRuns, diffSentence, type RunDiff } from "../history/diff.js";
import { previousRun } from "../history/previous.js";
import type { HistoryStore, RunHeader, StoredRun, StoredScan } from "../history/types.js";
import { wholeNumber } from "./args.js";
import type { CommandContext } from "./context.js";
import { COMMAND_DESCRIPTIONS } from "./descriptions.js";

type WithContext = (run: (ctx: CommandContext) => Promise<number>) => Promise<void>;

export function formatDiff(d: RunDiff): string {
  const line = (tag: string) => (f: RunDiff["new"][number]) =>
    `  ${tag} ${f.severity.padEnd(8)} ${f.pair}  ${f.ruleId}  ${f.path}\n      ${f.message}`;
  return [
    `${d.from ?? "(nothing)"} -> ${d.to}: ${d.new.length} new, ${d.resolved.length} resolved, ${d.unchanged.length} unchanged${d.unknown.length ? `, ${d.unknown.length} unknown (not read in ${d.to})` : ""}`,
    ...d.new.map(line("+")),
    ...d.resolved.map(line("-")),
    ...d.unknown.map(line("?")),
  ].join("\n");
}

/** A stored run as its command's terminal report. */
export function formatStoredRun(run: StoredRun): string {
  switch (run.kind) {
    case "scan":
      return formatScanText(run.result);
    case "freshness":
      return formatFreshnessText(run.result);
    case "drill":
      return formatDrillText(run.result);
    case "plan":
      return renderMarkdown(planDocument(run.result, run.id));
  }
}

/** Each listed drill's verdict (its record read from the store), by run id. */
async function drillVerdicts(store: HistoryStore, runs: RunHeader[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const r of runs) {
    if (r.kind !== "drill") continue;
    const run = await store.get(r.id);
    if (run?.kind === "drill") out.set(r.id, drillVerdict(run.result));
  }
  return out;
}

export function registerHistory(program: Command, withContext: WithContext): void {
  const history = program
    .command("history")
    .description(COMMAND_DESCRIPTIONS.history)
    .addOption(new Option("--limit <n>", "how many (a whole number)").argParser(wholeNumber(1)).default(20))
    .addHelpText(
      "after",
      "\nExamples:\n  drctl history\n  drctl history show drill-20261201T120000Z-ab12\n  drctl --store dynamodb://drctl-history?region=us-east-1 history --json",
    )
    .action((flags: { limit: number }) => withContext((ctx) => listRuns(ctx, flags.limit)));
  history
    .command("show")
    .argument("<run>", "the run's id (drctl history lists them)")
    .description("show one stored run: its report as the command printed it (--json: the stored record)")
    .addHelpText(
      "after",
      "\nExamples:\n  drctl history show drill-20261201T120000Z-ab12\n  drctl history show 20261201T120000Z-ab12 --json",
    )
    .action((id: string) => withContext((ctx) => showRun(ctx, id)));
  program
    .command("diff")
    .description(COMMAND_DESCRIPTIONS.diff)
    .argument("[runA]", "the earlier run id")
    .argument("[runB]", "the later run id")
    .addHelpText(
      "after",
      "\nExamples:\n  drctl diff                         the last two scans\n  drctl diff 20261120T100000Z-ab12 20261121T100000Z-cd34 --json",
    )
    .action((runA: string | undefined, runB: string | undefined) =>
      withContext((ctx) => diffScans(ctx, runA, runB)),
    );
}

/** drctl history: the stored runs, newest first, a drill with its verdict. */
async function listRuns(ctx: CommandContext, limit: number): Promise<number> {
  const store = await ctx.store("read");
  const runs = await store.list({ limit });
  const verdicts = await drillVerdicts(store, runs);
  ctx.result(
    () => (runs.length === 0 ? `no runs in ${store.description}` : runsTable(runs, verdicts)),
    () => ({
      version: 1,
      store: store.description,
      runs: runs.map((r) => (verdicts.has(r.id) ? { ...r, verdict: verdicts.get(r.id) } : r)),
    }),
  );
  return 0;
}

function runsTable(runs: readonly RunHeader[], verdicts: ReadonlyMap<string, string>): string {
  // Drill ids are longer than other runs' ids.
  const width = Math.max(22, ...runs.map((r) => r.id.length));
  const counts = (r: RunHeader) =>
    [r.counts.critical, r.counts.high, r.counts.medium, r.counts.low, r.counts.info]
      .map((n) => String(n).padStart(4))
      .join("  ");
  return [
    `${"RUN".padEnd(width)}  KIND       ITEMS  CRIT  HIGH   MED   LOW  INFO  STARTED`,
    ...runs.map(
      (r) =>
        `${r.id.padEnd(width)}  ${r.kind.padEnd(9)}  ${String(r.pairs).padStart(5)}  ${counts(r)}  ${r.startedAt}${verdicts.has(r.id) ? `  ${verdicts.get(r.id) ?? ""}` : ""}`,
    ),
  ].join("\n");
}

/** drctl history show: one stored run as its command printed it. */
async function showRun(ctx: CommandContext, id: string): Promise<number> {
  const store = await ctx.store();
  const run = await store.get(id);
  if (!run)
    throw new InputError(`no run ${JSON.stringify(id)} in ${store.description}; drctl history lists them`);
  ctx.result(
    () => formatStoredRun(run),
    () => run,
  );
  return 0;
}

/** drctl diff: the change between two stored scans (default: the last two). */
async function diffScans(
  ctx: CommandContext,
  runA: string | undefined,
  runB: string | undefined,
): Promise<number> {
  const store = await ctx.store("read");
  const load = async (id: string) => {
    const run = await store.get(id);
    if (!run)
      throw new InputError(`no run ${JSON.stringify(id)} in ${store.description}; drctl history lists them`);
    if (run.kind !== "scan")
      throw new InputError(
        `run ${id} is a ${run.kind} run; drctl diff compares scans (drctl freshness --diff compares freshness runs)`,
      );
    return run;
  };
  let before: StoredScan | undefined;
  let after: StoredScan;
  if (runA && runB) [before, after] = [await load(runA), await load(runB)];
  else {
    const [latest, previous] = await store.list({ kind: "scan", limit: 2 });
    if (!latest) throw new InputError(`no stored scans in ${store.description}; run drctl scan first`);
    after = runA ? await load(runA) : await load(latest.id);
    before = runA ? await previousRun(store, after) : previous ? await load(previous.id) : undefined;
  }
  const d = diffRuns(before, after);
  ctx.result(
    () => formatDiff(d),
    () => ({ version: 1, ...d, summary: diffSentence(d, before?.startedAt) }),
  );
  return 0;
}
