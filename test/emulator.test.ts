import { CreateVpcCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { Emulator } from "../demo/emulator.js";
import { AwsClients } from "../src/aws/client-factory.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const answers = async (endpoint: string) =>
  fetch(`${endpoint}/moto-api/`).then(
    () => true,
    () => false,
  );

describe("the emulator harness", () => {
  it("starts on a free loopback port, resets state, and stops", async () => {
    const emulator = await Emulator.start();
    try {
      const port = Number(new URL(emulator.endpoint).port);
      expect(new URL(emulator.endpoint).hostname).toBe("127.0.0.1");
      expect([5060, 5061]).not.toContain(port);
      const aws = await AwsClients.create({
        endpointUrl: emulator.endpoint,
        rateLimits: "off",
        credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "b" }),
      });
      const ec2 = aws.get(EC2Client, "eu-west-1");
      await ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }));
      expect((await ec2.send(new DescribeVpcsCommand({}))).Vpcs).toHaveLength(2);
      await emulator.reset();
      expect((await ec2.send(new DescribeVpcsCommand({}))).Vpcs).toHaveLength(1); // only the default VPC again
      aws.destroy();
    } finally {
      await emulator.stop();
    }
    expect(await answers(emulator.endpoint)).toBe(false);
    expect(alive(emulator.pid ?? 0)).toBe(false);
  });

  it("dies with its parent even when the parent is killed with SIGKILL", async () => {
    const parent = spawn(process.execPath, ["--import", "tsx", "test/harness/start-and-wait.ts"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const firstLine = await new Promise<string>((resolve) =>
      createInterface({ input: parent.stdout }).once("line", resolve),
    );
    const { endpoint, pid } = JSON.parse(firstLine) as { endpoint: string; pid: number };
    expect(await answers(endpoint)).toBe(true);
    parent.kill("SIGKILL");
    expect(await waitFor(() => !alive(pid), 10_000)).toBe(true);
    expect(await answers(endpoint)).toBe(false);
  });
});
