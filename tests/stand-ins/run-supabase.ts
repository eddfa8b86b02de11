// Runs the Supabase stand-in on its own, for manual poking:
// `npx tsx tests/stand-ins/run-supabase.ts [--port 54321] [--storage-dir DIR] [--user email:password]…`
// Prints the URL and keys to use as SUPABASE_URL / SUPABASE_PUBLISHABLE_KEY / SUPABASE_SERVICE_ROLE_KEY.
import { parseArgs } from "node:util";
import { stopOnSignal, wholeNumber } from "./cli";
import { startSupabaseStandIn } from "./supabase";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.SUPABASE_STANDIN_PORT ?? "0" },
    host: { type: "string", default: "127.0.0.1" },
    "storage-dir": { type: "string" },
    "jwt-secret": { type: "string", default: process.env.SUPABASE_STANDIN_JWT_SECRET },
    "access-token-ttl": { type: "string", default: "3600" },
    user: { type: "string", multiple: true, default: [] },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(`Usage: tsx tests/stand-ins/run-supabase.ts [options]
  --port N                port to listen on (default: any free port; env SUPABASE_STANDIN_PORT)
  --host H                address to bind (default 127.0.0.1)
  --storage-dir DIR       keep Storage objects in DIR across runs (default: a temp folder, removed on exit)
  --jwt-secret S          legacy JWT secret; fixed secret = same anon/service keys every run
                          (env SUPABASE_STANDIN_JWT_SECRET)
  --access-token-ttl N    access-token lifetime in seconds (default 3600)
  --user EMAIL:PASSWORD   create a confirmed user (repeatable)`);
  process.exit(0);
}

const standIn = await startSupabaseStandIn({
  port: wholeNumber("port", values.port),
  hostname: values.host,
  storageDir: values["storage-dir"],
  jwtSecret: values["jwt-secret"],
  accessTokenTtlSeconds: wholeNumber("access-token-ttl", values["access-token-ttl"]),
});

for (const spec of values.user) {
  const at = spec.indexOf(":");
  if (at < 1) {
    console.error(`--user must look like email:password, got "${spec}"`);
    await standIn.stop();
    process.exit(2);
  }
  const { id } = await standIn.createUser({ email: spec.slice(0, at), password: spec.slice(at + 1) });
  console.log(`  user ${spec.slice(0, at)} → ${id}`);
}

console.log(`Supabase stand-in listening on ${standIn.url}`);
console.log(`  SUPABASE_URL=${standIn.url}`);
console.log(`  SUPABASE_PUBLISHABLE_KEY=${standIn.anonKey}`);
console.log(`  SUPABASE_SERVICE_ROLE_KEY=${standIn.serviceRoleKey}`);
console.log(`  JWKS: ${standIn.url}/auth/v1/.well-known/jwks.json`);
console.log(`  storage folder: ${standIn.storageDir}`);

stopOnSignal(standIn);
