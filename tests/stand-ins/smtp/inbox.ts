// The catcher's web inbox (plain HTML, works without JavaScript) and its JSON API for tests.
import { Hono } from "hono";
import { messageJson, messageSummary } from "./store";
import type { CaughtMessage } from "./store";

export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const style = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #f4f6f8; }
  main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
  h1 { font-size: 1.5rem; margin: 0 0 1rem; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #dde1e6; vertical-align: top; }
  th { font-weight: 600; white-space: nowrap; }
  td.value { word-break: break-all; font-family: ui-monospace, monospace; font-size: .875rem; }
  iframe { width: 100%; height: 70vh; border: 1px solid #dde1e6; background: #fff; }
  nav a, nav form { margin-right: 1rem; display: inline-block; }
  button { font: inherit; padding: .25rem .75rem; }
  a { color: #1d4ed8; }
  pre { white-space: pre-wrap; background: #fff; padding: 1rem; border: 1px solid #dde1e6; }
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Mail catcher (stand-in)</title>
<style>${style}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

const addressText = (a: { address: string; name: string }) => (a.name ? `${a.name} <${a.address}>` : a.address);

/**
 * The message's HTML in a sandboxed frame: no scripts, no same-origin access; `<base target="_top">`
 * makes a clicked link replace the inbox page (the sandbox allows that on a user's click), so the
 * e-mail's links are followable with JavaScript off, as they would be in a mail client.
 */
function htmlFrame(html: string): string {
  const base = `<base target="_top">`;
  const head = /<head(\s[^>]*)?>/i; // not <header>
  const withBase = head.test(html) ? html.replace(head, (tag) => `${tag}${base}`) : `${base}${html}`;
  return `<iframe title="HTML body" sandbox="allow-top-navigation-by-user-activation allow-popups allow-popups-to-escape-sandbox" srcdoc="${esc(withBase)}"></iframe>`;
}

export function inboxApp(store: { messages(filter?: { to?: string }): CaughtMessage[]; clear(): void }): Hono {
  const app = new Hono();
  const find = (id: string) => store.messages().find((m) => m.id === id);
  const newestFirst = (to: string | undefined) => store.messages(to ? { to } : undefined).reverse();

  app.get("/", (c) => {
    const to = c.req.query("to") || undefined;
    const list = newestFirst(to);
    const rows = list
      .map(
        (m) => `<tr>
<td>${esc(m.to.map(addressText).join(", ") || m.envelope.to.join(", "))}</td>
<td><a href="/messages/${esc(m.id)}">${esc(m.subject || "(no subject)")}</a></td>
<td><time datetime="${esc(m.receivedAt.toISOString())}">${esc(m.receivedAt.toISOString().replace("T", " ").slice(0, 19))} UTC</time></td>
</tr>`,
      )
      .join("\n");
    return c.html(
      layout(
        "Inbox",
        `<h1>Inbox (${list.length})</h1>
<nav>
<form method="get" action="/"><label>To <input type="email" name="to" value="${esc(to ?? "")}"></label> <button>Filter</button></form>
<form method="post" action="/clear"><button>Delete all</button></form>
</nav>
${list.length ? `<table><thead><tr><th>To</th><th>Subject</th><th>Received</th></tr></thead><tbody>${rows}</tbody></table>` : "<p>No messages yet.</p>"}`,
      ),
    );
  });

  app.post("/clear", (c) => {
    store.clear();
    return c.redirect("/", 303);
  });

  app.get("/messages/:id", (c) => {
    const m = find(c.req.param("id"));
    if (!m) return c.html(layout("Not found", `<h1>No such message</h1><p><a href="/">Inbox</a></p>`), 404);
    const headerRows = Object.entries(m.headers)
      .map(([name, value]) => `<tr><th>${esc(name)}</th><td class="value">${esc(value)}</td></tr>`)
      .join("\n");
    const attachments = m.attachments
      .map(
        (a, i) =>
          `<li><a href="/messages/${esc(m.id)}/attachments/${i}">${esc(a.filename ?? `attachment ${i + 1}`)}</a> (${esc(a.contentType)}, ${a.size} bytes)</li>`,
      )
      .join("");
    return c.html(
      layout(
        m.subject || "(no subject)",
        `<nav><a href="/">← Inbox</a><a href="/messages/${esc(m.id)}/text">Text part</a><a href="/messages/${esc(m.id)}/source">Raw source</a></nav>
<h1>${esc(m.subject || "(no subject)")}</h1>
<table><tbody>${headerRows}</tbody></table>
${attachments ? `<h2>Attachments</h2><ul>${attachments}</ul>` : ""}
<h2>HTML body</h2>
${m.html ? htmlFrame(m.html) : "<p>No HTML part.</p>"}`,
      ),
    );
  });

  const plain = (text: string) =>
    new Response(text, {
      headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" },
    });
  app.get("/messages/:id/text", (c) => {
    const m = find(c.req.param("id"));
    return m ? plain(m.text ?? "") : c.text("Not found", 404);
  });
  app.get("/messages/:id/source", (c) => {
    const m = find(c.req.param("id"));
    return m ? plain(m.raw.toString("utf8")) : c.text("Not found", 404);
  });
  app.get("/messages/:id/attachments/:index", (c) => {
    const a = find(c.req.param("id"))?.attachments[Number(c.req.param("index"))];
    return a?.text != null ? plain(a.text) : c.text("Not found", 404);
  });

  app.get("/api/messages", (c) => c.json(newestFirst(c.req.query("to") || undefined).map(messageSummary)));
  app.get("/api/messages/:id", (c) => {
    const m = find(c.req.param("id"));
    return m ? c.json(messageJson(m)) : c.json({ error: "not found" }, 404);
  });
  app.delete("/api/messages", (c) => {
    store.clear();
    return c.body(null, 204);
  });

  return app;
}
