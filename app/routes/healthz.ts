import { sql } from "~/.server/db";
import { Prisma } from "~/generated/prisma/client";

// For the load balancer: 200 when this instance can reach its database, 503 when not.
export async function loader() {
  try {
    await sql(Prisma.sql`SELECT 1`);
    return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
  } catch {
    return Response.json({ status: "database-unreachable" }, { status: 503, headers: { "Cache-Control": "no-store" } });
  }
}
