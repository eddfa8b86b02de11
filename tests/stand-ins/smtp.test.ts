// The SMTP catcher must behave like a real SMTP server, because dev mode, integration tests,
// Playwright and the bench trust it in place of the provider: driven here with real nodemailer.
import nodemailer from "nodemailer";
import type { SendMailOptions } from "nodemailer";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSmtpStandIn } from "./smtp";
import type { SmtpStandIn } from "./smtp";

let catcher: SmtpStandIn;
beforeAll(async () => {
  catcher = await startSmtpStandIn();
});
afterAll(async () => {
  await catcher.stop();
});
afterEach(async () => {
  catcher.failures.clear();
  catcher.clear();
  await catcher.smtpUp();
});

/** A fresh, unpooled transport per send, so a refusal on one connection cannot leak into the next. */
function send(message: Partial<SendMailOptions>) {
  const transport = nodemailer.createTransport(catcher.smtpUrl);
  return transport
    .sendMail({
      from: "Tutorwise <noreply@tutorwise.test>",
      to: "parent@example.test",
      subject: "Hello",
      text: "Hi",
      ...message,
    })
    .finally(() => transport.close());
}

async function sendError(message: Partial<SendMailOptions>) {
  try {
    await send(message);
  } catch (error) {
    return error as { responseCode?: number; code?: string; permanent?: boolean };
  }
  throw new Error("expected the send to fail");
}

describe("receiving", () => {
  it("parses what nodemailer sends: addresses, subject, both parts, headers and a calendar entry", async () => {
    await send({
      to: { name: "Pat Parent", address: "parent@example.test" },
      subject: "Lesson tomorrow",
      text: "Plain words",
      html: `<p>Rich <a href="http://app.test/bookings/1">words</a></p>`,
      list: { unsubscribe: { url: "https://app.test/unsubscribe?token=abc", comment: "Unsubscribe" } },
      headers: { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
      icalEvent: {
        method: "REQUEST",
        filename: "lesson.ics",
        content: "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
      },
    });
    const [m] = catcher.messages();
    expect(m).toBeDefined();
    expect(m!.from).toEqual({ address: "noreply@tutorwise.test", name: "Tutorwise" });
    expect(m!.to).toEqual([{ address: "parent@example.test", name: "Pat Parent" }]);
    expect(m!.envelope).toEqual({ from: "noreply@tutorwise.test", to: ["parent@example.test"] });
    expect(m!.subject).toBe("Lesson tomorrow");
    expect(m!.text).toContain("Plain words");
    expect(m!.html).toContain(`<a href="http://app.test/bookings/1">words</a>`);
    expect(m!.headers["list-unsubscribe"]).toContain("<https://app.test/unsubscribe?token=abc>");
    expect(m!.headers["list-unsubscribe-post"]).toBe("List-Unsubscribe=One-Click");
    const calendar = m!.attachments.find((a) => a.contentType === "text/calendar");
    expect(calendar?.text).toContain("METHOD:REQUEST");
  });

  it("filters by recipient and waits for a message still to come", async () => {
    await send({ to: "one@example.test" });
    const waiting = catcher.waitFor((m) => m.subject === "Later", 3000);
    await send({ to: "two@example.test", subject: "Later" });
    expect((await waiting).envelope.to).toEqual(["two@example.test"]);
    expect(catcher.messages({ to: "ONE@example.test" }).map((m) => m.envelope.to[0])).toEqual(["one@example.test"]);
    await expect(catcher.waitFor((m) => m.subject === "never", 50)).rejects.toThrow(/no matching message/);
  });
});

describe("refusing like a real server", () => {
  it("refuses a recipient permanently with 550", async () => {
    catcher.failures.refuseRecipient("gone@example.test", 550);
    const error = await sendError({ to: "gone@example.test" });
    expect(error.responseCode).toBe(550);
    expect(error.permanent).toBe(true);
    expect(catcher.messages()).toHaveLength(0);
    expect(catcher.failures.refusals).toMatchObject([{ command: "RCPT TO", address: "gone@example.test", code: 550 }]);
  });

  it("refuses a recipient temporarily with 451 and 421, and accepts others meanwhile", async () => {
    catcher.failures.refuseRecipient("busy@example.test", 451);
    catcher.failures.refuseRecipient("closing@example.test", 421);
    expect(await sendError({ to: "busy@example.test" })).toMatchObject({ responseCode: 451, permanent: false });
    expect((await sendError({ to: "closing@example.test" })).responseCode).toBe(421);
    await send({ to: "fine@example.test" });
    expect(catcher.messages().map((m) => m.envelope.to[0])).toEqual(["fine@example.test"]);
  });

  it("refuses the next N messages temporarily, then accepts again", async () => {
    catcher.failures.refuseNextMessages(2);
    expect((await sendError({})).responseCode).toBe(451);
    expect((await sendError({})).responseCode).toBe(451);
    await send({ subject: "Third time" });
    expect(catcher.messages().map((m) => m.subject)).toEqual(["Third time"]);
  });

  it("refuses after DATA like a content filter, permanently (554) or temporarily (451)", async () => {
    catcher.failures.refuseNextMessages(1, 554, "DATA");
    expect(await sendError({})).toMatchObject({ responseCode: 554, permanent: true });
    catcher.failures.refuseNextMessages(1, 451, "DATA");
    expect(await sendError({})).toMatchObject({ responseCode: 451, permanent: false });
    expect(catcher.failures.refusals.map((r) => r.command)).toEqual(["DATA", "DATA"]);
    expect(catcher.messages()).toHaveLength(0);
    await send({ subject: "Clean" });
    expect(catcher.messages().map((m) => m.subject)).toEqual(["Clean"]);
  });

  it("when down, connections are refused; up again on the same port, mail flows", async () => {
    const url = catcher.smtpUrl;
    await catcher.smtpDown();
    const error = await sendError({});
    expect(error.responseCode).toBeUndefined();
    expect(error.code).toMatch(/ESOCKET|ECONNECTION/);
    await catcher.smtpUp();
    expect(catcher.smtpUrl).toBe(url);
    await send({ subject: "Back" });
    expect(catcher.messages().map((m) => m.subject)).toEqual(["Back"]);
  });
});

describe("HTTP inbox and API", () => {
  it("the JSON API lists newest first, filters by recipient, shows one message and deletes all", async () => {
    await send({ to: "first@example.test", subject: "First" });
    await send({
      to: "second@example.test",
      subject: "Second",
      html: "<p>x</p>",
      icalEvent: { method: "PUBLISH", content: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n" },
    });
    const list = (await (await fetch(`${catcher.url}/api/messages`)).json()) as { id: string; subject: string }[];
    expect(list.map((m) => m.subject)).toEqual(["Second", "First"]);
    const filtered = (await (await fetch(`${catcher.url}/api/messages?to=first@example.test`)).json()) as {
      subject: string;
    }[];
    expect(filtered.map((m) => m.subject)).toEqual(["First"]);

    const one = (await (await fetch(`${catcher.url}/api/messages/${list[0]!.id}`)).json()) as Record<string, any>;
    expect(one).toMatchObject({ subject: "Second", html: "<p>x</p>", from: { address: "noreply@tutorwise.test" } });
    expect(one.headers["message-id"]).toBeTruthy();
    expect(one.attachments[0]).toMatchObject({
      contentType: "text/calendar",
      text: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    });
    expect((await fetch(`${catcher.url}/api/messages/nope`)).status).toBe(404);

    expect((await fetch(`${catcher.url}/api/messages`, { method: "DELETE" })).status).toBe(204);
    expect(catcher.messages()).toHaveLength(0);
  });

  it("the web inbox lists messages and shows one with headers, a sandboxed HTML frame, text and source", async () => {
    await send({
      to: { name: "<b>Pat</b>", address: "pat@example.test" },
      subject: "<script>x</script>",
      html: `<p><a href="http://app.test/">Join</a></p>`,
    });
    const id = catcher.messages()[0]!.id;
    const inbox = await (await fetch(catcher.url)).text();
    expect(inbox).toContain(`href="/messages/${id}"`);
    expect(inbox).toContain("&#60;script&#62;x&#60;/script&#62;");
    expect(inbox).not.toContain("<script>");
    expect(inbox).not.toContain("<b>Pat</b>");

    const page = await (await fetch(`${catcher.url}/messages/${id}`)).text();
    expect(page).toMatch(
      /<iframe title="HTML body" sandbox="allow-top-navigation-by-user-activation[^"]*" srcdoc="&#60;base target=&#34;_top&#34;&#62;/,
    );
    expect(page).not.toContain("allow-scripts");
    expect(page).toContain(`href="/messages/${id}/text"`);
    expect(await (await fetch(`${catcher.url}/messages/${id}/text`)).text()).toContain("Hi");
    expect(await (await fetch(`${catcher.url}/messages/${id}/source`)).text()).toMatch(
      /^Content-Type: multipart\/alternative/m,
    );
    expect((await fetch(`${catcher.url}/messages/nope`)).status).toBe(404);
  });
});
