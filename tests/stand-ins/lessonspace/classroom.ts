// The stand-in's classroom: a plain server-rendered page in place of Lessonspace's app.
// Works without JavaScript; "Leave" and "End lesson" are ordinary POST forms.
import type { Participant, SessionState, SpaceState } from "./spaces";

export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const style = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #f4f6f8; }
  main { max-width: 40rem; margin: 0 auto; padding: 1.5rem; }
  h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
  .badge { display: inline-block; padding: .1rem .5rem; border-radius: .25rem; background: #1d4ed8; color: #fff; font-size: .875rem; }
  .badge.participant { background: #374151; }
  ul { padding-left: 1.25rem; }
  form { display: inline-block; margin: 1rem 1rem 0 0; }
  form.say { display: grid; gap: .25rem; max-width: 24rem; }
  input { font: inherit; padding: .4rem; }
  button { font: inherit; padding: .5rem 1rem; border-radius: .25rem; border: 1px solid #1a1a1a; background: #fff; color: #1a1a1a; cursor: pointer; }
  button.danger { background: #b91c1c; border-color: #b91c1c; color: #fff; }
  a { color: #1d4ed8; }
`;

function layout(title: string, body: string, head = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Lessonspace (stand-in)</title>
${head}
<style>${style}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

function role(leader: boolean): string {
  return leader ? `<span class="badge">Leader</span>` : `<span class="badge participant">Participant</span>`;
}

export function roomPage(args: {
  space: SpaceState;
  session: SessionState;
  me: Participant;
  token: string;
  refreshUrl: string;
  refreshSeconds: number;
}): string {
  const { space, session, me, token, refreshUrl, refreshSeconds } = args;
  const others = [...session.present]
    .filter((key) => key !== me.key)
    .map((key) => session.participants.get(key))
    .filter((p): p is Participant => p !== undefined);
  const othersHtml =
    others.length === 0
      ? `<p id="others">Nobody else is here yet.</p>`
      : `<ul id="others">${others.map((p) => `<li>${esc(p.name)} ${role(p.leader)}</li>`).join("")}</ul>`;
  const refresh =
    refreshSeconds > 0 ? `<meta http-equiv="refresh" content="${refreshSeconds}; url=${esc(refreshUrl)}">` : "";
  return layout(
    space.name || "Lesson",
    `<h1 id="space-name">${esc(space.name)}</h1>
<p id="me">You are <strong>${esc(me.name)}</strong> ${role(me.leader)}</p>
<h2>In the room</h2>
${othersHtml}
<p><small>Session ${esc(session.id)}</small></p>
<h2>Say something</h2>
<p><small>${session.transcribed ? "Transcription is on: what you type here is what the transcript will say you said." : "Transcription is off for this space."}</small></p>
<form method="post" action="/room/${esc(space.roomId)}/say" class="say">
<input type="hidden" name="token" value="${esc(token)}">
<label for="say-text">What you say</label>
<input id="say-text" name="text" required maxlength="2000" autocomplete="off">
<label for="say-seconds">For how many seconds (optional)</label>
<input id="say-seconds" name="seconds" inputmode="decimal" pattern="\\d{1,4}(\\.\\d+)?">
<button type="submit">Say it</button>
</form>
${said(session)}
<form method="post" action="/room/${esc(space.roomId)}/leave">
<input type="hidden" name="token" value="${esc(token)}">
<button type="submit">Leave</button>
</form>
<form method="post" action="/room/${esc(space.roomId)}/end">
<input type="hidden" name="token" value="${esc(token)}">
<button type="submit" class="danger">End lesson</button>
</form>`,
    refresh,
  );
}

function said(session: SessionState): string {
  if (session.utterances.length === 0) return "";
  const items = session.utterances
    .slice(-20)
    .map(
      (u) =>
        `<li><strong>${esc(u.name)}</strong> (${u.startSeconds.toFixed(1)}–${u.endSeconds.toFixed(1)} s): ${esc(u.text)}</li>`,
    )
    .join("");
  return `<h2>Said so far</h2><ul id="said">${items}</ul>`;
}

export function messagePage(title: string, message: string, rejoinUrl?: string): string {
  const rejoin = rejoinUrl ? `<p><a href="${esc(rejoinUrl)}">Join again</a></p>` : "";
  return layout(title, `<h1>${esc(title)}</h1>\n<p>${esc(message)}</p>\n${rejoin}`);
}
