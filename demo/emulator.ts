/**
 * The local AWS emulator: moto in server mode on a free loopback port. Used by the demo, the
 * integration tests and the benchmarks. moto runs under a small Python wrapper that exits when
 * its stdin closes, so the server dies with this process even on SIGKILL.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { EmulatorUnavailableError } from "../src/errors.js";

export const MOTO_INSTALL_COMMAND = "python3 -m pip install 'moto[server]>=5.2'";

/** What the wrapper writes once the port is its own; nothing is asked of the port before. */
const BINDING_MARK = "drctl-emulator: binding";

const WRAPPER = `
import logging, os, socket, sys, threading
logging.getLogger("werkzeug").setLevel(logging.ERROR)
def _watch_parent():
    sys.stdin.read()
    os._exit(0)
threading.Thread(target=_watch_parent, daemon=True).start()
from moto.server import main
# Another process may have bound the port since it was probed: exit rather than let the caller
# talk to someone else's emulator. Checked after moto's import, just before it binds.
_probe = socket.socket()
try:
    _probe.bind(("127.0.0.1", int(sys.argv[sys.argv.index("-p") + 1])))
except OSError:
    os._exit(98)
_probe.close()
sys.stderr.write("${BINDING_MARK}\\n")
sys.stderr.flush()
main(sys.argv[1:])
`;

/** Ports Node's fetch refuses, and so can never be the emulator's. */
const FORBIDDEN_PORTS = new Set([5060, 5061]);

function python(): string {
  return process.env.DRCTL_PYTHON ?? "python3";
}

function motoImportable(): boolean {
  const r = spawnSync(python(), ["-c", "import moto.server, moto; print(moto.__version__)"], {
    encoding: "utf8",
  });
  return r.status === 0;
}

/**
 * Makes sure python3 can import moto's server, installing it with pip when it cannot.
 * Throws EmulatorUnavailableError naming the install command when that is not possible.
 */
export function ensureMoto(log: (line: string) => void = () => {}): void {
  const probe = spawnSync(python(), ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new EmulatorUnavailableError(
      `the local AWS emulator needs Python 3 with moto, and "${python()}" could not be run. ` +
        `Install Python 3, then run: ${MOTO_INSTALL_COMMAND}`,
    );
  }
  if (motoImportable()) return;
  log(`moto is not installed; trying: ${MOTO_INSTALL_COMMAND}`);
  const install = spawnSync(python(), ["-m", "pip", "install", "--quiet", "moto[server]>=5.2"], {
    encoding: "utf8",
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (install.status !== 0 || !motoImportable()) {
    throw new EmulatorUnavailableError(
      `the local AWS emulator needs moto, and installing it failed. Run: ${MOTO_INSTALL_COMMAND}`,
    );
  }
}

async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        const p = typeof address === "object" && address ? address.port : 0;
        server.close(() => resolve(p));
      });
    });
    if (!FORBIDDEN_PORTS.has(port)) return port;
  }
}

export interface EmulatorOptions {
  /** Extra environment for moto (MOTO_* settings). */
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export class Emulator {
  private stopped = false;
  private readonly onExit = () => this.kill();

  private constructor(
    readonly endpoint: string,
    private readonly child: ChildProcess,
    private readonly stderr: string[],
  ) {
    process.once("exit", this.onExit);
  }

  /** Starts moto on a free port and resolves once it answers. */
  static async start(options: EmulatorOptions = {}): Promise<Emulator> {
    ensureMoto();
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const child = spawn(python(), ["-c", WRAPPER, "-H", "127.0.0.1", "-p", String(port)], {
        stdio: ["pipe", "ignore", "pipe"],
        env: {
          ...process.env,
          MOTO_EC2_LOAD_DEFAULT_AMIS: "false",
          ...options.env,
        },
      });
      const stderr: string[] = [];
      child.stderr?.setEncoding("utf8");
      child.stderr?.on("data", (chunk: string) => {
        stderr.push(chunk);
        if (stderr.length > 50) stderr.shift();
      });
      const emulator = new Emulator(`http://127.0.0.1:${port}`, child, stderr);
      try {
        await emulator.waitUntilReady(options.startTimeoutMs ?? 20_000);
        return emulator;
      } catch (err) {
        await emulator.stop();
        // Another process may have taken the port between probing and binding: try a new one.
        if (attempt >= 5) throw err;
      }
    }
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) break;
      if (!this.stderr.join("").includes(BINDING_MARK)) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      try {
        const res = await fetch(`${this.endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new EmulatorUnavailableError(
      `the local AWS emulator (moto) did not start on ${this.endpoint}: ${this.stderr.join("").slice(-2000) || "no output"}`,
    );
  }

  /** The moto process id (for tests of the harness itself). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Forgets every resource in every region and account. */
  async reset(): Promise<void> {
    const res = await fetch(`${this.endpoint}/moto-api/reset`, { method: "POST" });
    if (!res.ok) throw new Error(`emulator reset failed: HTTP ${res.status}`);
  }

  /** Environment that points the AWS SDK and CLI at this emulator with dummy credentials. */
  get env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.endpoint,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_REGION: "us-east-1",
      // moto 5.2 answers HTTP 500 to a gzip-compressed PutMetricData body, and the SDK compresses
      // bodies of 10 KiB and more: a run's freshness metrics go uncompressed to the emulator.
      AWS_DISABLE_REQUEST_COMPRESSION: "true",
    };
  }

  private kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    process.off("exit", this.onExit);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin?.end();
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.kill(), 3000);
    await exited;
    clearTimeout(timer);
  }
}
