// Runs the SMTP catcher on its own: `npx tsx tests/stand-ins/run-smtp.ts [--smtp-port 1025] [--http-port 1080]`.
// Prints the SMTP_URL to use and the web inbox's address, and stops cleanly on Ctrl-C.
import { parseArgs } from "node:util";
import { stopOnSignal, wholeNumber } from "./cli";
import { startSmtpStandIn } from "./smtp";

const { values } = parseArgs({
  options: {
    "smtp-port": { type: "string", default: "1025" },
    "http-port": { type: "string", default: "1080" },
    host: { type: "string", default: "127.0.0.1" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(`Usage: tsx tests/stand-ins/run-smtp.ts [options]
  --smtp-port N   SMTP port (default 1025; 0 for any free port)
  --http-port N   web inbox and JSON API port (default 1080; 0 for any free port)
  --host H        address to bind (default 127.0.0.1)`);
  process.exit(0);
}

const standIn = await startSmtpStandIn({
  smtpPort: wholeNumber("smtp-port", values["smtp-port"]),
  httpPort: wholeNumber("http-port", values["http-port"]),
  hostname: values.host,
});

console.log(`SMTP catcher listening on ${standIn.smtpUrl}`);
console.log(`  SMTP_URL=${standIn.smtpUrl}`);
console.log(`  web inbox: ${standIn.url}`);

stopOnSignal(standIn);
