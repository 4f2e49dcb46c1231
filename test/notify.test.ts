import { CreateEmailIdentityCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { connect, createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import PostalMime from "postal-mime";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCertificate } from "../demo/world/certificates.js";
import { notifyScan, type NotifyConfig } from "../src/notify/notify.js";
import { webhookBody } from "../src/notify/transports.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { diffRuns } from "../src/history/diff.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();
const evil = `<script>alert(1)</script>"'${"x".repeat(64 * 1024)}`;

function result(ruleIds: string[], tag = "web-001"): ScanResult {
  return {
    version: 1,
    generatedAt: "2026-11-21T10:00:00.000Z",
    strategy: "warm-standby",
    expiredSuppressions: [],
    stats: { pairs: 1, durationMs: 1, calls: {}, retries: 0 },
    pairs: [
      {
        name: tag,
        primaryArn: "arn:p",
        secondaryArn: "arn:s",
        status: "drift",
        counts: { critical: 0, high: ruleIds.length, medium: 0, low: 0, info: 0 },
        findings: ruleIds.map((ruleId) => ({
          pair: tag,
          primaryArn: "arn:p",
          secondaryArn: "arn:s",
          resourceType: "listener",
          ruleId,
          severity: "high",
          status: "drift",
          path: ruleId,
          primary: 1,
          secondary: 2,
          message: `fix ${ruleId} on ${tag}`,
          remediation: "apply the primary's value",
        })),
      },
    ],
  };
}

const before = { id: "run-1", result: result(["listener.alpn", "listener.protocol"]) };
const after = { id: "run-2", result: result(["listener.protocol", "listener.ssl-policy"]) };
const diff = diffRuns(before, after);
const config = (
  overrides: Partial<NotifyConfig["email"]> = {},
  rest: Partial<NotifyConfig> = {},
): NotifyConfig => ({
  configured: true,
  when: "on-change",
  email: {
    enabled: true,
    from: "drctl@example.com",
    to: ["oncall@example.com"],
    transport: "outbox",
    ...overrides,
  },
  ...rest,
});

async function parse(raw: string | Buffer) {
  return PostalMime.parse(raw);
}

describe("the scan email", () => {
  it("is written to the outbox as .eml and .html, with counts in the subject and a text part", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-outbox-"));
    const sent = await notifyScan({
      config: config({ outbox: dir }),
      result: after.result,
      diff,
      runId: "run-2",
      aws: () => env.clients(),
    });
    expect(sent).toEqual([
      { channel: "email (outbox)", ok: true, detail: `written to ${join(dir, "scan-run-2.eml")}` },
    ]);
    const mail = await parse(readFileSync(join(dir, "scan-run-2.eml")));
    expect(mail.subject).toBe("[drctl] 1 new, 1 resolved findings; 1 pairs, 2 critical or high open");
    expect(mail.to?.[0]?.address).toBe("oncall@example.com");
    expect(mail.html).toContain("New findings (1)");
    expect(mail.html).toContain("listener.ssl-policy");
    expect(mail.html).not.toMatch(/<script|<link|<style/);
    expect(mail.text).toMatch(/Resolved findings:\n- \[high\] web-001 listener.alpn/);
    const page = readFileSync(join(dir, "scan-run-2.html"), "utf8");
    expect(page).toContain("New findings (1)");
    expect(page.startsWith("<!doctype html>")).toBe(true);
    // Written whole (temporary file, then rename: none left behind) and private to the owner.
    expect(readdirSync(dir).sort()).toEqual(["scan-run-2.eml", "scan-run-2.html"]);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
  });

  it("is sent only when something changed, unless configured otherwise", async () => {
    const same = diffRuns(after, { id: "run-3", result: after.result });
    const dir = mkdtempSync(join(tmpdir(), "drctl-outbox-"));
    expect(
      await notifyScan({
        config: config({ outbox: dir }),
        result: after.result,
        diff: same,
        runId: "r",
        aws: () => env.clients(),
      }),
    ).toEqual([]);
    expect(
      await notifyScan({
        config: config({ outbox: dir }, { when: "always" }),
        result: after.result,
        diff: same,
        runId: "r",
        aws: () => env.clients(),
      }),
    ).toHaveLength(1);
    expect(
      await notifyScan({
        config: config({ outbox: dir }, { when: "never" }),
        result: after.result,
        diff,
        runId: "r",
        aws: () => env.clients(),
      }),
    ).toEqual([]);
  });

  it("never lets tag values inject markup, even 64 KiB of them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-outbox-"));
    const bad = result(["listener.protocol"], evil);
    await notifyScan({
      config: config({ outbox: dir }),
      result: bad,
      diff: diffRuns(undefined, { id: "x", result: bad }),
      runId: "x",
      aws: () => env.clients(),
    });
    const mail = await parse(readFileSync(join(dir, "scan-x.eml")));
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain("&#60;script&#62;");
    expect(mail.html?.trimEnd().endsWith("</html>")).toBe(true);
  });

  /**
   * A real SMTP server on loopback, behind a TCP relay that keeps every byte the client sent, so
   * a test can say what reached the wire.
   */
  async function smtpServer(options: { starttls: boolean }) {
    const received: Buffer[] = [];
    const logins: string[] = [];
    const pem = makeCertificate(
      { commonName: "localhost", subjectAlternativeNames: ["localhost"], validDays: 30 },
      7,
    );
    const server = new SMTPServer({
      ...(options.starttls
        ? { key: pem.privateKey, cert: pem.certificate }
        : { disabledCommands: ["STARTTLS"] }),
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        logins.push(`${auth.username}:${auth.password ?? ""}`);
        callback(null, { user: auth.username });
      },
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          received.push(Buffer.concat(chunks));
          callback();
        });
      },
    });
    server.listen(0, "127.0.0.1");
    await once(server.server, "listening");
    const smtpPort = (server.server.address() as AddressInfo).port;
    const wire: Buffer[] = [];
    const relay = createNetServer((client) => {
      const upstream = connect(smtpPort, "127.0.0.1");
      client.on("data", (c: Buffer) => wire.push(c));
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    relay.listen(0, "127.0.0.1");
    await once(relay, "listening");
    const caFile = join(mkdtempSync(join(tmpdir(), "drctl-smtp-")), "ca.pem");
    writeFileSync(caFile, pem.certificate);
    return {
      port: (relay.address() as AddressInfo).port,
      caFile,
      received,
      logins,
      wire: () => Buffer.concat(wire).toString("latin1"),
      close: async () => {
        await new Promise<void>((r) => relay.close(() => r()));
        await new Promise<void>((r) => server.close(() => r()));
      },
    };
  }

  it("goes through SMTP with STARTTLS to a real server on loopback, logging in only over TLS", async () => {
    const smtp = await smtpServer({ starttls: true });
    process.env.DRCTL_TEST_SMTP_PASSWORD = "s3cret-Pa55";
    try {
      const sent = await notifyScan({
        config: config({
          transport: "smtp",
          smtp: {
            host: "localhost",
            port: smtp.port,
            secure: false,
            user: "drctl",
            passwordEnv: "DRCTL_TEST_SMTP_PASSWORD",
            caFile: smtp.caFile,
          },
        }),
        result: after.result,
        diff,
        runId: "run-2",
        aws: () => env.clients(),
      });
      expect(sent[0]).toMatchObject({ channel: "email (SMTP)", ok: true });
      expect(sent[0]?.detail).toMatch(/accepted it over TLS/);
      expect(smtp.logins).toEqual(["drctl:s3cret-Pa55"]);
      expect(smtp.received).toHaveLength(1);
      const mail = await parse(smtp.received[0] ?? "");
      expect(mail.subject).toMatch(/1 new, 1 resolved/);
      expect(mail.html).toContain("listener.ssl-policy");
      expect(mail.text).toContain("New findings:");
      // On the wire: STARTTLS in clear, then only TLS records; neither the password nor the mail in clear.
      const wire = smtp.wire();
      expect(wire).toMatch(/STARTTLS\r\n/);
      expect(wire).not.toContain("s3cret-Pa55");
      expect(wire).not.toContain(Buffer.from("\0drctl\0s3cret-Pa55").toString("base64"));
      expect(wire).not.toContain("listener.ssl-policy");
    } finally {
      delete process.env.DRCTL_TEST_SMTP_PASSWORD;
      await smtp.close();
    }
  });

  it("sends nothing, and no password, to an SMTP server that offers no STARTTLS", async () => {
    const smtp = await smtpServer({ starttls: false });
    process.env.DRCTL_TEST_SMTP_PASSWORD = "s3cret-Pa55";
    try {
      const sent = await notifyScan({
        config: config({
          transport: "smtp",
          smtp: {
            host: "127.0.0.1",
            port: smtp.port,
            secure: false,
            user: "drctl",
            passwordEnv: "DRCTL_TEST_SMTP_PASSWORD",
          },
        }),
        result: after.result,
        diff,
        runId: "run-2",
        aws: () => env.clients(),
      });
      expect(sent[0]).toMatchObject({ channel: "email (SMTP)", ok: false });
      expect(sent[0]?.detail).toMatch(
        new RegExp(
          `^SMTP 127\\.0\\.0\\.1:${smtp.port} does not offer STARTTLS .*nothing was sent, no password either`,
        ),
      );
      expect(smtp.logins).toEqual([]);
      expect(smtp.received).toEqual([]);
      const wire = smtp.wire();
      expect(wire).toMatch(/^EHLO /);
      expect(wire).not.toMatch(/AUTH|MAIL FROM/);
      expect(wire).not.toContain("s3cret-Pa55");
      expect(wire).not.toContain(Buffer.from("\0drctl\0s3cret-Pa55").toString("base64"));
    } finally {
      delete process.env.DRCTL_TEST_SMTP_PASSWORD;
      await smtp.close();
    }
  });

  it("reports an SMTP server that is not there, with the reason", async () => {
    const sent = await notifyScan({
      config: config({ transport: "smtp", smtp: { host: "127.0.0.1", port: 9, secure: false } }),
      result: after.result,
      diff,
      runId: "r",
      aws: () => env.clients(),
    });
    expect(sent[0]).toMatchObject({ channel: "email (SMTP)", ok: false });
    expect(sent[0]?.detail).toMatch(/ECONNREFUSED/);
  });

  it("goes through SES v2 in the emulator, and the sent message reads back", async () => {
    const aws = await env.clients();
    await aws
      .get(SESv2Client, "eu-west-1")
      .send(new CreateEmailIdentityCommand({ EmailIdentity: "drctl@example.com" }));
    const sent = await notifyScan({
      config: config({ transport: "ses", ses: { region: "eu-west-1" } }),
      result: after.result,
      diff,
      runId: "run-2",
      aws: () => Promise.resolve(aws),
    });
    expect(sent[0]).toMatchObject({ channel: "email (SES)", ok: true });
    const data = JSON.stringify(await (await fetch(`${env.emulator.endpoint}/moto-api/data.json`)).json());
    const raw = /"raw_data":\s*"((?:[^"\\]|\\.)*)"/.exec(data)?.[1];
    expect(raw).toBeDefined();
    const mail = await parse(JSON.parse(`"${raw ?? ""}"`) as string);
    expect(mail.subject).toBe("[drctl] 1 new, 1 resolved findings; 1 pairs, 2 critical or high open");
    expect(mail.html).toContain("listener.ssl-policy");
  });

  it("reports an SES sender that is not verified", async () => {
    const sent = await notifyScan({
      config: config({ from: "nobody@example.org", transport: "ses", ses: { region: "eu-west-1" } }),
      result: after.result,
      diff,
      runId: "r",
      aws: () => env.clients(),
    });
    expect(sent[0]).toMatchObject({ channel: "email (SES)", ok: false });
    expect(sent[0]?.detail).toMatch(/SESv2\.SendEmail from nobody@example.org in eu-west-1/);
  });
});

describe("the webhook", () => {
  const bodies: { path: string; body: unknown }[] = [];
  let url = "";
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push({ path: req.url ?? "", body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      res.writeHead(req.url === "/broken" ? 500 : 200).end(req.url === "/broken" ? "boom" : "ok");
    });
  });
  beforeAll(async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("posts a Slack message and a Teams card", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-outbox-"));
    for (const format of ["slack", "teams"] as const) {
      const sent = await notifyScan({
        config: config({ outbox: dir }, { webhook: { url: `${url}/${format}`, format } }),
        result: after.result,
        diff,
        runId: "r",
        aws: () => env.clients(),
      });
      expect(sent.map((d) => d.ok)).toEqual([true, true]);
    }
    const slack = bodies.find((b) => b.path === "/slack")?.body as {
      text: string;
      blocks: { text: { text: string } }[];
    };
    expect(slack.text).toMatch(/1 new, 1 resolved/);
    expect(slack.blocks[1]?.text.text).toMatch(/\+ high web-001 listener.ssl-policy/);
    const teams = bodies.find((b) => b.path === "/teams")?.body as {
      attachments: { contentType: string; content: { body: { text: string }[] } }[];
    };
    expect(teams.attachments[0]?.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(teams.attachments[0]?.content.body[0]?.text).toMatch(/1 new, 1 resolved/);
  });

  it("Slack: escapes &, < and > so a value from AWS can neither mention a channel nor make a link", async () => {
    const hostile = result(["listener.default-actions"], "web-<!here>");
    const finding = hostile.pairs[0]?.findings[0];
    if (finding) finding.message = 'port 443 returns a fixed 503 "<!channel> & <https://evil.example|click>"';
    const sent = await notifyScan({
      config: config({}, { webhook: { url: `${url}/hostile`, format: "slack" } }),
      result: hostile,
      diff: diffRuns(undefined, { id: "h", result: hostile }),
      runId: "h",
      aws: () => env.clients(),
      choice: "configured",
    });
    expect(sent.find((d) => d.channel === "webhook (slack)")?.ok).toBe(true);
    const body = bodies.find((b) => b.path === "/hostile")?.body as {
      text: string;
      blocks: { type: string; text: { type: string; text: string } }[];
    };
    const mrkdwn = body.blocks.find((b) => b.text.type === "mrkdwn")?.text.text ?? "";
    expect(mrkdwn).toContain(
      '+ high web-&lt;!here&gt; listener.default-actions: port 443 returns a fixed 503 "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"',
    );
    for (const text of [body.text, mrkdwn]) expect(text).not.toMatch(/<[!@#]|<https?:/);
    // The unit: every & < > escaped, nothing else touched.
    const unit = webhookBody("slack", { subject: "a <b> & c", text: "", html: "" }, ["x"]) as {
      text: string;
    };
    expect(unit.text).toBe("a &lt;b&gt; &amp; c");
  });

  it("reports a failing webhook and still delivers the email", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-outbox-"));
    const sent = await notifyScan({
      config: config({ outbox: dir }, { webhook: { url: `${url}/broken`, format: "slack" } }),
      result: after.result,
      diff,
      runId: "r",
      aws: () => env.clients(),
    });
    expect(sent.map((d) => [d.channel, d.ok])).toEqual([
      ["email (outbox)", true],
      ["webhook (slack)", false],
    ]);
    expect(sent[1]?.detail).toBe("the webhook answered HTTP 500: boom");
  });
});
