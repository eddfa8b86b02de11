// Local stand-in for Supabase Auth (GoTrue) and Storage (docs/decisions/0027-stand-ins-for-outside-services.md): a real
// HTTP server on loopback speaking the contract auth-js, @supabase/ssr and storage-js expect,
// so unmodified production code runs against it in dev mode and tests. Only URL and keys differ.
export { startSupabaseStandIn } from "./supabase/server";
export type { RecordedRequest, SupabaseStandIn, SupabaseStandInOptions } from "./supabase/server";
