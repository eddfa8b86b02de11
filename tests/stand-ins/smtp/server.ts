// The SMTP catcher: a real SMTP server on loopback (smtp-server) that parses every message with
// mailparser and keeps it in memory, a web inbox and JSON API over HTTP (./inbox), and switches
// that make it refuse mail the way real servers do. No auth, no TLS: it only listens on loopback.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import type { SMTPServerAddress } from "smtp-server";
import { inboxApp } from "./inbox";
import { isAddressedTo, toCaughtMessage } from "./store";
import type { CaughtMessage } from "./store";

export interface SmtpStandInOptions {
  /** SMTP port; default 0 (any free port). */
  smtpPort?: number;
  /** Web inbox and JSON API port; default 0 (any free port). */
  httpPort?: number;
  /** Address both listen on; default 127.0.0.1. */
  hostname?: string;
  /** Oldest messages are dropped beyond this many; default 20 000 (a bench run holds 10 000). */
  maxMessages?: number;
}

/** The reply a refused command gets: 550/554 refuse for good, 451 asks to retry, 421 also closes the connection. */
export type RefusalCode = 550 | 554 | 451 | 421;

export interface Refusal {
  at: Date;
  command: "MAIL FROM" | "RCPT TO" | "DATA";
  address: string;
  code: RefusalCode;
}

export interface SmtpFailures {
  /** Refuse RCPT TO for `address` with `code` until cleared. */
  refuseRecipient(address: string, code: RefusalCode): void;
  /**
   * Refuse the next `count` messages: at MAIL FROM by default (451: "try again later"), or after
   * their DATA, as a content filter does (e.g. 554 "rejected as spam").
   */
  refuseNextMessages(count: number, code?: RefusalCode, at?: "MAIL FROM" | "DATA"): void;
  /** Every command refused so far, oldest first. */
  readonly refusals: Refusal[];
  /** Accept everything again and forget the refusals. */
  clear(): void;
}

export interface SmtpStandIn {
  /** What the app's SMTP_URL is set to, e.g. smtp://127.0.0.1:1025. */
  smtpUrl: string;
  /** The web inbox (GET / lists messages); the JSON API is under /api. */
  url: string;
  smtpPort: number;
  httpPort: number;
  /** Messages received so far, oldest first; `to` keeps those addressed to that address. */
  messages(filter?: { to?: string }): CaughtMessage[];
  clear(): void;
  /** The first message (already received or arriving within `timeoutMs`) that `predicate` accepts. */
  waitFor(predicate: (message: CaughtMessage) => boolean, timeoutMs?: number): Promise<CaughtMessage>;
  failures: SmtpFailures;
  /** Stops listening for SMTP (connections are refused) until `smtpUp()`; the inbox stays up. */
  smtpDown(): Promise<void>;
  /** Listens for SMTP again on the same port. */
  smtpUp(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSmtpStandIn(options: SmtpStandInOptions = {}): Promise<SmtpStandIn> {
  const hostname = options.hostname ?? "127.0.0.1";
  const maxMessages = options.maxMessages ?? 20_000;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;

  const messages: CaughtMessage[] = [];
  const waiters = new Set<(message: CaughtMessage) => void>();
  const refusedRecipients = new Map<string, RefusalCode>();
  const refusals: Refusal[] = [];
  let refuseNext: { count: number; code: RefusalCode; at: "MAIL FROM" | "DATA" } = {
    count: 0,
    code: 451,
    at: "MAIL FROM",
  };

  function refusal(command: Refusal["command"], address: string, code: RefusalCode): Error {
    refusals.push({ at: new Date(), command, address, code });
    const text =
      code === 550
        ? `5.1.1 <${address}>: Recipient address rejected: User unknown`
        : code === 554
          ? "5.7.1 Message rejected"
          : code === 421
            ? "4.3.2 Service not available, closing transmission channel"
            : "4.3.0 Temporary failure, try again later";
    return Object.assign(new Error(text), { responseCode: code });
  }

  function keep(message: CaughtMessage) {
    messages.push(message);
    if (messages.length > maxMessages) messages.splice(0, messages.length - maxMessages);
    for (const notify of [...waiters]) notify(message);
  }

  function createSmtpServer(): SMTPServer {
    return new SMTPServer({
      authOptional: true,
      disabledCommands: ["AUTH", "STARTTLS"],
      disableReverseLookup: true,
      logger: false,
      closeTimeout: 100,
      size: 10 * 1024 * 1024,
      onMailFrom(address: SMTPServerAddress, _session, callback) {
        if (refuseNext.count > 0 && refuseNext.at === "MAIL FROM") {
          refuseNext.count -= 1;
          return callback(refusal("MAIL FROM", address.address, refuseNext.code));
        }
        callback();
      },
      onRcptTo(address: SMTPServerAddress, _session, callback) {
        const code = refusedRecipients.get(address.address.toLowerCase());
        if (code !== undefined) return callback(refusal("RCPT TO", address.address, code));
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          if (refuseNext.count > 0 && refuseNext.at === "DATA") {
            refuseNext.count -= 1;
            return callback(refusal("DATA", session.envelope.rcptTo.map((r) => r.address).join(", "), refuseNext.code));
          }
          const raw = Buffer.concat(chunks);
          const envelope = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
          };
          simpleParser(raw, { skipTextToHtml: true }).then(
            (parsed) => {
              keep(toCaughtMessage(parsed, raw, envelope, new Date()));
              callback();
            },
            (error: unknown) =>
              callback(Object.assign(new Error(`5.6.0 Unparseable message: ${String(error)}`), { responseCode: 554 })),
          );
        });
      },
    });
  }

  let smtp: SMTPServer | null = null;
  let smtpPort = options.smtpPort ?? 0;
  async function listenSmtp() {
    const server = createSmtpServer();
    await new Promise<void>((resolve, reject) => {
      server.server.once("error", reject);
      server.listen(smtpPort, hostname, () => {
        server.server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (error) => console.error("[smtp stand-in]", error));
    smtpPort = (server.server.address() as AddressInfo).port;
    smtp = server;
  }
  async function closeSmtp() {
    const server = smtp;
    smtp = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await listenSmtp();

  const list = (filter?: { to?: string }) =>
    filter?.to ? messages.filter((m) => isAddressedTo(m, filter.to!)) : [...messages];
  const clear = () => {
    messages.length = 0;
  };

  const app = inboxApp({ messages: list, clear });
  const http = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.httpPort ?? 0, hostname }, () => resolve(s as Server)) as Server;
    s.once("error", reject);
  });
  const httpPort = (http.address() as AddressInfo).port;

  return {
    smtpUrl: `smtp://${host}:${smtpPort}`,
    url: `http://${host}:${httpPort}`,
    smtpPort,
    httpPort,
    messages: list,
    clear,
    waitFor(predicate, timeoutMs = 5000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SMTP stand-in: no matching message within ${timeoutMs} ms (${messages.length} received)`));
        }, timeoutMs);
        const check = (message: CaughtMessage) => {
          if (!predicate(message)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(message);
        };
        waiters.add(check);
      });
    },
    failures: {
      refuseRecipient(address, code) {
        refusedRecipients.set(address.trim().toLowerCase(), code);
      },
      refuseNextMessages(count, code = 451, at = "MAIL FROM") {
        refuseNext = { count, code, at };
      },
      refusals,
      clear() {
        refusedRecipients.clear();
        refuseNext = { count: 0, code: 451, at: "MAIL FROM" };
        refusals.length = 0;
      },
    },
    smtpDown: closeSmtp,
    async smtpUp() {
      if (!smtp) await listenSmtp();
    },
    async stop() {
      await closeSmtp();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
