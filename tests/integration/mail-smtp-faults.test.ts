// sendMail over real SMTP to this file's catcher: what the server does maps to an outcome the
// notification sender can act on (sent, retry later, give up on the address), never an exception.
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { closeMailer, createMailer, sendMail } from "~/.server/notifications/mailer";
import { testStandIns } from "../support/stand-ins.ts";

const message = (to: string) => ({ from: "classroom@tutorwise.test", to, subject: "Test", text: "Hello" });

afterEach(async () => {
  testStandIns.smtp.failures.clear();
  await testStandIns.smtp.smtpUp();
});
afterAll(async () => {
  await closeMailer();
});

describe("sendMail outcomes", () => {
  it("a message the server accepts is ok, with its Message-ID, and arrives", async () => {
    const outcome = await sendMail(message("ok@example.test"));
    expect(outcome).toMatchObject({ ok: true });
    const messageId = outcome.ok ? outcome.messageId : "";
    expect(messageId).toMatch(/^<.+@.+>$/);
    const arrived = await testStandIns.smtp.waitFor((m) => m.messageId === messageId);
    expect(arrived.envelope.to).toEqual(["ok@example.test"]);
  });

  it("a recipient refused with 550 is a permanent failure", async () => {
    testStandIns.smtp.failures.refuseRecipient("unknown@example.test", 550);
    const outcome = await sendMail(message("unknown@example.test"));
    expect(outcome).toMatchObject({ ok: false, permanent: true });
    expect(!outcome.ok && outcome.reason).toMatch(/550/);
  });

  it("a recipient refused with 451 or 421 is a temporary failure", async () => {
    testStandIns.smtp.failures.refuseRecipient("greylisted@example.test", 451);
    testStandIns.smtp.failures.refuseRecipient("overloaded@example.test", 421);
    const greylisted = await sendMail(message("greylisted@example.test"));
    expect(greylisted).toMatchObject({ ok: false, permanent: false });
    expect(!greylisted.ok && greylisted.reason).toMatch(/451/);
    expect(await sendMail(message("overloaded@example.test"))).toMatchObject({ ok: false, permanent: false });
    // The pool recovers: the next message to a good address goes out.
    expect(await sendMail(message("after@example.test"))).toMatchObject({ ok: true });
  });

  it("a message refused after its DATA is permanent for 5xx and temporary for 4xx", async () => {
    testStandIns.smtp.failures.refuseNextMessages(1, 554, "DATA");
    const spam = await sendMail(message("filtered@example.test"));
    expect(spam).toMatchObject({ ok: false, permanent: true });
    expect(!spam.ok && spam.reason).toMatch(/554/);
    testStandIns.smtp.failures.refuseNextMessages(1, 451, "DATA");
    expect(await sendMail(message("filtered@example.test"))).toMatchObject({ ok: false, permanent: false });
  });

  it("a server refusing all mail for a while is temporary, and the next try succeeds", async () => {
    testStandIns.smtp.failures.refuseNextMessages(1);
    expect(await sendMail(message("later@example.test"))).toMatchObject({ ok: false, permanent: false });
    expect(await sendMail(message("later@example.test"))).toMatchObject({ ok: true });
  });

  it("a server that is down is a temporary failure; once it is back, mail flows", async () => {
    await testStandIns.smtp.smtpDown();
    const down = await sendMail(message("down@example.test"));
    expect(down).toMatchObject({ ok: false, permanent: false });
    expect(!down.ok && down.reason).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
    await testStandIns.smtp.smtpUp();
    expect(await sendMail(message("down@example.test"))).toMatchObject({ ok: true });
  });

  it("a server that accepts the connection but never answers times out as a temporary failure", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      connectTimeoutMs: 300,
    });
    try {
      const started = performance.now();
      const outcome = await mailer.sendMail(message("slow@example.test"));
      expect(outcome).toMatchObject({ ok: false, permanent: false });
      expect(!outcome.ok && outcome.reason).toMatch(/ETIMEDOUT/);
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      await mailer.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
