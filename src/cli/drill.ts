import type { Command } from "commander";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { EXIT } from "../errors.js";
import { canaryStores } from "../drill/canaries.js";
import { planDrill, resumeDrill, runDrill, type DrillOutcome } from "../drill/engine.js";
import { loadDrill, type LoadedDrill } from "../drill/load.js";
import { preflight } from "../drill/preflight.js";
import { serversResolver, systemResolver, type Resolver } from "../drill/probe.js";
import { planProblems } from "../runbook/engine.js";
import { formatDrillHtml } from "../report/drill-html.js";
import { formatDrillText } from "../report/drill-text.js";
import { drctlHome } from "../history/open.js";
import { drillRun } from "../history/types.js";
import { ensurePrivateDir, writeFileAtomic } from "../util/files.js";
import { printable } from "../util/printable.js";
import type { CommandContext } from "./context.js";
import { COMMAND_DESCRIPTIONS } from "./descriptions.js";
import { prepareFile } from "./paths.js";
import { formatPlan } from "./runbook-format.js";
import { RESOURCE_TYPES, STEP_KINDS, STORE_TYPES } from "../catalog.js";

type WithContext = (run: (ctx: CommandContext) => Promise<number>) => Promise<void>;

const currentUser = () => {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `?@${hostname()}`;
  }
};

/** The drill file's resolver: the system's, or the DNS servers it names. */
export function resolverOf(d: LoadedDrill): Resolver {
  const r = d.drill.probe.resolver;
  return r === "system" ? systemResolver : serversResolver(r.servers, d.drill.probe.timeout * 1000);
}

async function finish(
  ctx: CommandContext,
  outcome: DrillOutcome,
  flags: { html?: string; store: boolean },
): Promise<number> {
  const { result } = outcome;
  if (flags.html) writeFileAtomic(flags.html, formatDrillHtml(result), { mode: 0o644, dirMode: 0o755 });
  let stored = "";
  if (outcome.final && flags.store && result.id) {
    try {
      const store = await ctx.store();
      await store.save(drillRun(result.id, result, new Date()));
      stored = `stored as ${result.id} in ${store.description}`;
    } catch (err) {
      ctx.io.err(`drctl: the drill's record could not be stored: ${(err as Error).message}`);
      ctx.result(
        () => formatDrillText(result),
        () => result,
      );
      return EXIT.couldNotFinish;
    }
  }
  ctx.result(
    () => formatDrillText(result),
    () => result,
  );
  if (stored) ctx.progress(stored);
  ctx.progress(ctx.callSummary());
  return outcome.exit;
}

/** SIGINT/SIGTERM: the drill stops waiting, reverts its fault and ends; a second one ends the process. */
function interrupts(ctx: CommandContext): { signal: AbortSignal; off: () => void } {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      // Exit 3 (could not finish), as every interrupted drill: the journal says where it stopped.
      ctx.io.err(
        `drctl: ${signal} again: stopped at once; THE FAULT MAY STILL BE IN PLACE: drctl drill resume ID --execute (its id was printed when it started)`,
      );
      process.exit(EXIT.couldNotFinish);
    }
    controller.abort(new Error(signal));
    ctx.progress(
      `${signal}: the drill stops and reverts its fault (a second ${signal} stops at once; drctl drill resume reverts it then)`,
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    off: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/** A target in seconds, or none. */
const seconds = (n: number | undefined) => (n === undefined ? "none" : `${n} s`);

/** A drill file, checked against the catalogue's step kinds. */
const loadDrillFile = (file: string): LoadedDrill => loadDrill(STEP_KINDS, file);

/** drctl drill plan FILE (and run without --execute): the plan, nothing changed. */
async function planCommand(ctx: CommandContext, file: string): Promise<number> {
  const d = loadDrillFile(file);
  const aws = await ctx.aws();
  const stores = await canaryStores(aws, d.drill, "<drill>", ctx.config, d.file);
  const p = await planDrill(aws, d, resolverOf(d), stores, {
    applications: ctx.config.applications,
    lockOf: async (app) => (await ctx.journal()).lockOf(app),
  });
  ctx.result(
    () =>
      [
        `plan of drill ${printable(d.drill.name)} of ${printable(d.drill.application)} (dry run, nothing changed):`,
        "preflight: the readiness scan and freshness of the application; refused when the standby is not ready",
        `probes every ${d.drill.probe.interval} s (timeout ${d.drill.probe.timeout} s, ${d.drill.probe.consecutive} in a row), through ${resolverOf(d).description}:`,
        ...p.probes.map((x) => printable(`  ${x.endpoint} ${x.url}: now ${x.answer}`)),
        `canaries${p.canaries.length ? ":" : ": none (the RPO is not measured)"}`,
        ...p.canaries.map((c) => printable(`  ${c}`)),
        "fault:",
        formatPlan(p.fault),
        p.runbook
          ? `failover runbook ${printable(d.runbook?.file ?? "")}:`
          : "failover runbook: none (the architecture fails over by itself)",
        ...(p.runbook ? [formatPlan(p.runbook)] : []),
        `failback: ${printable(p.failback)}`,
        `targets: RTO ${seconds(d.drill.targets.rto)}, RPO ${seconds(d.drill.targets.rpo)}`,
        ...(p.refusals.length
          ? ["drill run --execute would refuse to start:", ...p.refusals.map((r) => printable(`  ${r}`))]
          : []),
        ...(p.unread.length
          ? [
              "whether drill run --execute would start could not be told; these reads failed:",
              ...p.unread.map((r) => printable(`  ${r}`)),
            ]
          : []),
      ].join("\n"),
    () => ({ version: 1, dryRun: true, drill: d.drill.name, ...p }),
  );
  const problems = planProblems([...p.fault, ...(p.runbook ?? [])]);
  if (problems.some((x) => x.kind === "unreadable") || p.unread.length) return EXIT.couldNotFinish;
  return problems.length || p.refusals.length ? EXIT.findings : EXIT.ok;
}

/** drctl drill run FILE --execute: the drill, its record stored and printed. */
async function runCommand(
  ctx: CommandContext,
  file: string,
  flags: { execute?: boolean; force?: string; html?: string; store: boolean },
): Promise<number> {
  if (!flags.execute) return planCommand(ctx, file);
  const d = loadDrillFile(file);
  if (flags.html) prepareFile(flags.html, "--html", 0o755);
  if (flags.store) ctx.checkStore();
  const aws = await ctx.aws();
  ensurePrivateDir(drctlHome());
  const journal = await ctx.journal();
  const store = flags.store ? await ctx.store() : undefined;
  const stop = interrupts(ctx);
  try {
    const outcome = await runDrill(aws, journal, d, {
      resolver: resolverOf(d),
      preflight: () =>
        preflight(aws, d.drill, ctx.config, store, (l) => ctx.progress(l), {
          resources: RESOURCE_TYPES,
          datastores: STORE_TYPES,
        }),
      canaries: (id) => canaryStores(aws, d.drill, id, ctx.config, d.file),
      applications: ctx.config.applications,
      suppressions: ctx.config.suppressions,
      ...(flags.force ? { force: { by: currentUser(), why: flags.force } } : {}),
      log: (l) => ctx.progress(printable(l)),
      interrupt: stop.signal,
      runbookDir: join(drctlHome(), "runbooks"),
    });
    return await finish(ctx, outcome, flags);
  } finally {
    stop.off();
  }
}

/** drctl drill resume ID: what a killed drill left (dry run), or finished with --execute. */
async function resumeCommand(
  ctx: CommandContext,
  id: string,
  flags: { execute?: boolean; html?: string; store: boolean },
): Promise<number> {
  const journal = await ctx.journal();
  if (!flags.execute) {
    const run = await journal.run(id);
    const steps = run ? await journal.steps(id) : [];
    ctx.result(
      () =>
        run
          ? `drill ${id} (${printable(run.file)}): ${run.status}; fault ${steps[0]?.status ?? "?"}\ndry run: add --execute to revert its fault and finish it`
          : `no drill ${id} in the ${journal.description}`,
      () => ({ version: 1, dryRun: true, run, steps }),
    );
    return run ? EXIT.ok : EXIT.badInput;
  }
  const aws = await ctx.aws();
  // The drill file's own resolver (its DNS servers), as the drill it resumes probed through.
  const file = (await journal.run(id))?.file;
  const resolver = file ? resolverOf(loadDrillFile(file)) : systemResolver;
  const outcome = await resumeDrill(aws, journal, id, loadDrillFile, {
    resolver,
    canaries: async (drillId) => {
      const run = await journal.run(drillId);
      const d = loadDrillFile(run?.file ?? "");
      return canaryStores(aws, d.drill, drillId, ctx.config, d.file);
    },
    log: (l) => ctx.progress(printable(l)),
    runbookDir: join(drctlHome(), "runbooks"),
    suppressions: ctx.config.suppressions,
  });
  return finish(ctx, outcome, flags);
}

export function registerDrill(program: Command, withContext: WithContext): void {
  const drill = program.command("drill").description(COMMAND_DESCRIPTIONS.drill);
  drill
    .command("plan")
    .argument("<file>", "the drill file (YAML)")
    .description("show the probes, the canaries, the fault's and the runbook's plans; changes nothing")
    .addHelpText(
      "after",
      `
Exit codes: 0 the run would start (its readiness scan decides the rest); 1 a step would fail or be
refused, or the run would refuse to start (the fault's target not the drill's to touch, a canary
with no copy in the standby); 2 bad input; 3 could not read what the plan needs (the plan is
printed all the same, with the reads that failed).

Examples:
  drctl drill plan examples/drills/dns-failover.yaml`,
    )
    .action((file: string) => withContext((ctx) => planCommand(ctx, file)));
  drill
    .command("run")
    .argument("<file>", "the drill file (YAML)")
    .description(
      "run the drill: preflight, baseline, fault, failover, revert, failback; without --execute only the plan",
    )
    .option("--execute", "really inject the fault and fail over (without it: the plan)")
    .option("--force <why>", "start although the preflight refuses (journaled with who and why)")
    .option("--html <file>", "also write the HTML drill report with its chart")
    .option("--no-store", "do not keep the record in the history")
    .addHelpText(
      "after",
      `
Exit codes: 0 every target met; 1 a target missed or with no figure (a lower bound is never met),
the probes never saw the fault, writes lost, or the drill refused to start (the preflight, no
baseline, a canary that refuses writes or has no copy in the standby, a fault target that is not
the application's own); 2 bad input; 3 could not finish (AWS unreachable, interrupted, a fault
that could not be injected or reverted: said loudly). The report's first line says which.

The fault acts on resources of the drill's application (drctl.yaml's applications: tags or ARNs)
in its primary region; fault.scope: standby or any, with a reason, lets it act beyond (journaled).

Examples:
  drctl drill run examples/drills/dns-failover.yaml         the plan only
  drctl drill run examples/drills/dns-failover.yaml --execute --html drill.html
  drctl drill run drill.yaml --execute --force "scan finding accepted for this test"`,
    )
    .action((file: string, flags: { execute?: boolean; force?: string; html?: string; store: boolean }) =>
      withContext((ctx) => runCommand(ctx, file, flags)),
    );
  drill
    .command("resume")
    .argument("<drill>", "the drill's id (drill-...)")
    .option("--execute", "really revert the fault and finish the drill's runs")
    .option("--html <file>", "also write the HTML drill report")
    .option("--no-store", "do not keep the record in the history")
    .description(
      "after a crash: revert the fault first, bring the drill's runs to their end, fail back, remove the markers",
    )
    .addHelpText("after", "\nExamples:\n  drctl drill resume drill-20261201T120000Z-ab12 --execute")
    .action((id: string, flags: { execute?: boolean; html?: string; store: boolean }) =>
      withContext((ctx) => resumeCommand(ctx, id, flags)),
    );
}
