// `npm run dev`: the whole app on the embedded default, with demo data, on one machine.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DEMO_PASSWORD, demoProfiles } from "../prisma/seed.ts";
import { startLocalStack } from "./lib/local-stack.ts";

const port = Number(process.env.PORT ?? 5173);
const appUrl = process.env.APP_URL ?? `http://localhost:${port}`;
const started = performance.now();

const stack = await startLocalStack({
  dataDir: process.env.TUTORWISE_DATA_DIR ?? ".data",
  appUrl,
  // DATABASE_URL switches to any other PostgreSQL, with no code change.
  databaseUrl: process.env.DATABASE_URL,
  // Fixed, so the addresses printed below stay the same from one start to the next. DEV_FIXED_PORTS=0
  // takes any free ones (the dev-server test runs beside a developer's own `npm run dev`).
  ports:
    process.env.DEV_FIXED_PORTS === "0" ? {} : { supabase: 54321, lessonspace: 54330, smtp: 1025, mailInbox: 1080 },
  seed: true,
});

// The CLI itself, not through npx, so stopping this script stops the dev server too. Arguments
// after `npm run dev --` go to it (e.g. --force: bundle the dependencies again, as on a fresh clone).
const reactRouterCli = fileURLToPath(new URL("../node_modules/@react-router/dev/bin.js", import.meta.url));
const app = spawn(
  process.execPath,
  [reactRouterCli, "dev", "--port", String(port), "--strictPort", ...process.argv.slice(2)],
  {
    stdio: ["inherit", "pipe", "inherit"],
    // The app's stdout is a pipe to this script: it cannot see the terminal, so it is told.
    env: {
      ...process.env,
      ...stack.env,
      NODE_ENV: "development",
      LOG_FORMAT: process.env.LOG_FORMAT ?? (process.stdout.isTTY ? "pretty" : "json"),
    },
  },
);

let announced = false;
app.stdout.on("data", (chunk: Buffer) => {
  process.stdout.write(chunk);
  if (!announced && /Local:/.test(chunk.toString())) {
    announced = true;
    announce();
  }
});

// For the person at the terminal, not the log: plain text, as it is.
function announce() {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const lines = [
    "",
    `Tutorwise Classroom is running at ${appUrl} (ready in ${seconds} s)`,
    `  PostgreSQL: ${stack.postgres ? "embedded" : "from DATABASE_URL"}; Supabase stand-in ${stack.supabase.url}; Lessonspace stand-in ${stack.lessonspace.url}`,
    `  Demo logins (password "${DEMO_PASSWORD}"):`,
    ...Object.entries(demoProfiles).flatMap(([role, p]) =>
      p.email ? [`    ${p.email.padEnd(22)} ${p.fullName} (${role})`] : [],
    ),
    `  E-mail the app sends (SMTP ${stack.smtp.smtpUrl}) lands in the web inbox at ${stack.smtp.url}`,
    "",
  ];
  console.log(lines.join("\n"));
}

// A SIGTERM to `npm run dev` reaches this process only because the npm script execs tsx (a shell
// left in between dies alone and leaves the rest running); tsx relays it here. Every child is
// then stopped and waited for: the dev server, the stand-ins, and PostgreSQL by a clean shutdown
// (which removes its postmaster.pid).
let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  await Promise.all([stopApp(), stack.stop()]);
  process.exit(code);
}

async function stopApp() {
  if (app.exitCode !== null || app.signalCode !== null) return;
  const exited = new Promise((resolve) => app.once("exit", resolve));
  app.kill("SIGTERM");
  const timer = setTimeout(() => app.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
app.on("exit", (code) => void shutdown(code ?? 0));
