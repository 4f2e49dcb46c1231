/**
 * fault.fis-experiment and its undo fis.stop-experiment, adapter tests: the emulator serves no
 * AWS FIS, so the FIS client is stubbed with aws-sdk-client-mock, and a small fake keeps
 * experiments as FIS does and answers with the shapes of the AWS FIS API reference
 * (GetExperimentTemplate, StartExperiment, GetExperiment, ListExperiments, StopExperiment; an
 * experiment's state.status pending | initiating | running | completed | stopping | stopped |
 * failed | cancelled). Run through the runbook engine with a real (SQLite) journal.
 */
import { STEP_KINDS } from "../../catalog.js";
import {
  FisClient,
  GetExperimentCommand,
  GetExperimentTemplateCommand,
  ListExperimentsCommand,
  ResourceNotFoundException,
  StartExperimentCommand,
  StopExperimentCommand,
  type Experiment,
  type ExperimentStatus,
} from "@aws-sdk/client-fis";
import { mockClient } from "aws-sdk-client-mock";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AwsClients } from "../../aws/client-factory.js";
import { executeRunbook, planRunbook } from "../engine.js";
import { generateFailback, writeFailback } from "../failback.js";
import { SqliteJournal } from "../journal-sqlite.js";
import { loadRunbook } from "../load.js";

// @aws-sdk/client-fis is pinned to an older SDK release than the other clients, whose types
// aws-sdk-client-mock follows; the mock works on the client's send() all the same.
const fis = mockClient(FisClient as never);
const on = (command: unknown) => fis.on(command as never);
/** The inputs of the calls of `command` made so far. */
const inputs = (command: unknown) =>
  fis.commandCalls(command as never).map((c) => (c.args[0] as { input: Record<string, unknown> }).input);
const TEMPLATE = "EXT2pTjBBNvmRqhrc";
const ACCOUNT = "123456789012";
let aws: AwsClients;
let journal: SqliteJournal;
let dir: string;

/** The API reference's experiment states ("cancelled" is newer than the pinned client's types). */
type Status = ExperimentStatus | "cancelled";

/**
 * FIS as the API reference describes it: StartExperiment answers with the new experiment
 * "initiating"; each GetExperiment moves it one state along `path` (the test's script); a stop
 * makes it "stopping", then "stopped". ListExperiments pages (one summary a page).
 */
class FakeFis {
  readonly experiments = new Map<string, { e: Experiment; path: Status[] }>();
  path: Status[] = ["initiating", "running"];
  reason: string | undefined;
  private n = 0;

  add(status: Status, tags: Record<string, string>, path: Status[] = []): string {
    const id = `EXP${String(++this.n).padStart(14, "0")}`;
    const now = new Date("2026-12-01T12:00:00Z");
    this.experiments.set(id, {
      e: {
        id,
        experimentTemplateId: TEMPLATE,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/fis-drill`,
        state: { status: status as ExperimentStatus },
        targets: {
          primaryInstances: {
            resourceType: "aws:ec2:instance",
            resourceTags: { role: "web" },
            selectionMode: "ALL",
          },
        },
        actions: {
          stopInstances: {
            actionId: "aws:ec2:stop-instances",
            parameters: { startInstancesAfterDuration: "PT10M" },
            targets: { Instances: "primaryInstances" },
            state: { status: "pending", reason: "Initial state" },
          },
        },
        stopConditions: [{ source: "none" }],
        creationTime: now,
        startTime: now,
        tags,
        experimentOptions: { accountTargeting: "single-account", emptyTargetResolutionMode: "fail" },
      },
      path,
    });
    return id;
  }

  install(): void {
    on(GetExperimentTemplateCommand).callsFake((input: { id: string }) => {
      if (input.id !== TEMPLATE)
        throw new ResourceNotFoundException({
          message: `Experiment template ${input.id} not found.`,
          $metadata: { httpStatusCode: 404 },
        });
      return {
        experimentTemplate: {
          id: TEMPLATE,
          arn: `arn:aws:fis:us-east-1:${ACCOUNT}:experiment-template/${TEMPLATE}`,
          description: "stop the primary's web instances",
          targets: {},
          actions: {},
          stopConditions: [{ source: "none" }],
          roleArn: `arn:aws:iam::${ACCOUNT}:role/fis-drill`,
          tags: { Name: "drill-web-stop" },
        },
      };
    });
    on(StartExperimentCommand).callsFake((input: { tags?: Record<string, string> }) => {
      const id = this.add("initiating", input.tags ?? {}, [...this.path]);
      return { experiment: this.experiments.get(id)?.e };
    });
    on(GetExperimentCommand).callsFake((input: { id: string }) => {
      const x = this.experiments.get(input.id);
      if (!x)
        throw new ResourceNotFoundException({
          message: `Experiment ${input.id} not found.`,
          $metadata: { httpStatusCode: 404 },
        });
      const next = x.path.shift();
      if (next)
        x.e.state = {
          status: next as ExperimentStatus,
          ...(next === "failed" && this.reason ? { reason: this.reason } : {}),
        };
      return { experiment: x.e };
    });
    on(ListExperimentsCommand).callsFake((input: { nextToken?: string }) => {
      const all = [...this.experiments.values()].map((x) => x.e);
      const at = input.nextToken ? Number(input.nextToken) : 0;
      const e = all[at];
      return {
        experiments: e
          ? [
              {
                id: e.id,
                experimentTemplateId: e.experimentTemplateId,
                state: e.state,
                creationTime: e.creationTime,
                tags: e.tags,
                experimentOptions: e.experimentOptions,
              },
            ]
          : [],
        ...(at + 1 < all.length ? { nextToken: String(at + 1) } : {}),
      };
    });
    on(StopExperimentCommand).callsFake((input: { id: string }) => {
      const x = this.experiments.get(input.id);
      if (!x) throw new Error(`no experiment ${input.id}`);
      x.e.state = { status: "stopping" };
      x.path = ["stopping", "stopped"];
      return { experiment: x.e };
    });
  }
}

let fake: FakeFis;

function runbook(params: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "drctl-fis-")), "fault.yaml");
  writeFileSync(
    file,
    `version: 1\nname: fis under test\napplication: fis\nregion: us-east-1\nsteps:\n  - id: fault\n    kind: fault.fis-experiment\n    params: ${params}\n`,
  );
  return file;
}

beforeAll(async () => {
  aws = await AwsClients.create({
    endpointUrl: "http://127.0.0.1:9",
    rateLimits: "off",
    credentials: () => Promise.resolve({ accessKeyId: "test", secretAccessKey: "test" }),
  });
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "drctl-fis-journal-"));
  journal = SqliteJournal.open(join(dir, "journal.sqlite"));
  fake = new FakeFis();
  fake.install();
});

afterEach(() => {
  fis.reset();
  journal.close();
});

describe("fault.fis-experiment (adapter: aws-sdk-client-mock on AWS FIS API-shaped responses)", () => {
  it("plans from the template without starting anything; starts one experiment tagged with the run and step, waits through pending and initiating until running", async () => {
    const loaded = loadRunbook(STEP_KINDS, runbook(`{ template: ${TEMPLATE} }`));
    const plan = await planRunbook(aws, loaded);
    expect(plan[0]?.plan).toEqual({
      current: `template ${TEMPLATE} (stop the primary's web instances): no experiment of this run`,
      target: `an experiment of ${TEMPLATE} running`,
      changes: true,
    });
    expect(inputs(StartExperimentCommand)).toHaveLength(0);

    fake.path = ["pending", "initiating", "running"];
    const { run, steps } = await executeRunbook(aws, journal, loaded, { runId: "run-fis-1" });
    expect(run.status, steps[0]?.error ?? "").toBe("succeeded");
    const starts = inputs(StartExperimentCommand);
    expect(starts).toEqual([
      {
        experimentTemplateId: TEMPLATE,
        clientToken: "run-fis-1/fault",
        tags: { "drctl:created-by": "run-fis-1/fault" },
      },
    ]);
    const id = [...fake.experiments.keys()][0] as string;
    expect(steps[0]?.outputs).toEqual({ experimentId: id, injectedAt: expect.any(String) as string });
    // Waited until running: the fake moved through every state it was given.
    expect(fake.experiments.get(id)?.e.state?.status).toBe("running");
    expect(fake.experiments.get(id)?.path).toEqual([]);
  }, 30_000);

  it("an experiment that ends before it runs (failed, with FIS's reason; cancelled): the step fails and says why", async () => {
    fake.path = ["initiating", "failed"];
    fake.reason = "Target resolution returned empty set";
    const { run, steps } = await executeRunbook(
      aws,
      journal,
      loadRunbook(STEP_KINDS, runbook(`{ template: ${TEMPLATE} }`)),
    );
    expect(run.status).toBe("failed");
    expect(steps[0]?.error).toMatch(/experiment EXP\d+ failed: Target resolution returned empty set/);

    // A failed run keeps the application locked: another journal for the next one.
    const other = SqliteJournal.open(join(dir, "other.sqlite"));
    fake.path = ["cancelled"];
    const again = await executeRunbook(
      aws,
      other,
      loadRunbook(STEP_KINDS, runbook(`{ template: ${TEMPLATE} }`)),
    );
    other.close();
    expect(again.steps[0]?.error).toMatch(/experiment EXP\d+ cancelled/);
  }, 30_000);

  it("an experiment that completes at once (a short action) counts as injected", async () => {
    fake.path = ["completed"];
    const { run } = await executeRunbook(
      aws,
      journal,
      loadRunbook(STEP_KINDS, runbook(`{ template: ${TEMPLATE} }`)),
    );
    expect(run.status).toBe("succeeded");
  }, 30_000);

  it("a template that does not exist: the plan says the step would fail (ResourceNotFoundException)", async () => {
    const plan = await planRunbook(aws, loadRunbook(STEP_KINDS, runbook("{ template: EXTnothere }")));
    expect(plan[0]?.plan).toEqual({
      error: "no FIS experiment template EXTnothere in us-east-1",
      notFound: true,
    });
  });

  it("in doubt (the process stopped after its intent): found by its tag on a later page of ListExperiments, not started again; otherwise started once", async () => {
    const loaded = loadRunbook(STEP_KINDS, runbook(`{ template: ${TEMPLATE} }`));
    // The journal as a process killed after StartExperiment leaves it: the intent, no appliedAt.
    const crashed = async (runId: string) => {
      await journal.startRun(
        {
          runId,
          runbook: loaded.runbook.name,
          file: loaded.file,
          application: "fis",
          hash: loaded.hash,
          startedAt: new Date().toISOString(),
          set: {},
          alarmAt: null,
          undoes: null,
        },
        [{ id: "fault", kind: "fault.fis-experiment" }],
      );
      await journal.updateStep(runId, "fault", {
        status: "running",
        startedAt: new Date().toISOString(),
        attempts: 1,
        intent: {
          before: { template: TEMPLATE, description: "stop the primary's web instances" },
          plan: "…",
          at: new Date().toISOString(),
        },
      });
    };
    fake.add("completed", { "drctl:created-by": "run-other/fault" });
    const started = fake.add("initiating", { "drctl:created-by": "run-fis-doubt/fault" }, ["running"]);
    await crashed("run-fis-doubt");
    const found = await executeRunbook(aws, journal, loaded, { resumeRunId: "run-fis-doubt" });
    expect(found.run.status, found.steps[0]?.error ?? "").toBe("succeeded");
    expect(inputs(StartExperimentCommand)).toHaveLength(0);
    expect(found.steps[0]?.outputs.experimentId).toBe(started);
    expect(found.steps[0]?.attempts).toBe(1);
    expect((await journal.events("run-fis-doubt")).map((e) => e.what).join("\n")).toMatch(
      new RegExp(`fault was in doubt: reconciled: experiment ${started} of ${TEMPLATE} was started`),
    );

    await crashed("run-fis-lost");
    const redone = await executeRunbook(aws, journal, loaded, { resumeRunId: "run-fis-lost" });
    expect(redone.run.status).toBe("succeeded");
    expect(inputs(StartExperimentCommand).map((i) => i.clientToken)).toEqual(["run-fis-lost/fault"]);
  }, 30_000);

  it("its undo, fis.stop-experiment, stops a running experiment and waits until it has ended; run again, or on one already ended, it calls nothing", async () => {
    const loaded = loadRunbook(STEP_KINDS, runbook(`{ template: ${TEMPLATE} }`));
    const { run, steps } = await executeRunbook(aws, journal, loaded, { runId: "run-fis-undo" });
    expect(run.status).toBe("succeeded");
    const id = steps[0]?.outputs.experimentId as string;
    const back = generateFailback(loaded, run, steps).runbook;
    expect(back.steps.map((s) => [s.id, s.kind, s.params])).toEqual([
      ["undo-fault", "fis.stop-experiment", { experiment: id }],
    ]);
    const undo = loadRunbook(STEP_KINDS, writeFailback(join(dir, "runbooks"), run, back));
    const undone = await executeRunbook(aws, journal, undo, { undoes: run.runId });
    expect(undone.run.status, undone.steps[0]?.error ?? "").toBe("succeeded");
    expect(inputs(StopExperimentCommand)).toEqual([{ id }]);
    expect(undone.steps[0]?.outputs).toEqual({ status: "stopped" });

    const twice = await executeRunbook(aws, journal, undo, { undoes: run.runId });
    expect(twice.run.status).toBe("succeeded");
    expect(inputs(StopExperimentCommand)).toHaveLength(1);

    const ended = fake.add("completed", {});
    const onEnded = await executeRunbook(
      aws,
      journal,
      loadRunbook(
        STEP_KINDS,
        (() => {
          const file = join(dir, "stop.yaml");
          writeFileSync(
            file,
            `version: 1\nname: stop\napplication: fis\nregion: us-east-1\nsteps:\n  - id: stop\n    kind: fis.stop-experiment\n    params: { experiment: ${ended} }\n`,
          );
          return file;
        })(),
      ),
    );
    expect(onEnded.run.status).toBe("succeeded");
    expect(onEnded.steps[0]?.outputs).toEqual({ status: "completed" });
    expect(inputs(StopExperimentCommand)).toHaveLength(1);
  }, 30_000);
});
