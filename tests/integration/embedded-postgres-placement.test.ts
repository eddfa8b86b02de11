// Where the embedded PostgreSQL keeps a throwaway cluster. As root it runs as the OS user
// "postgres", which cannot pass through the 0700 folders mkdtemp makes; such a cluster used to be
// moved to a folder of its own in the temp folder that outlived the run (7.4 GB of them had piled up
// on the development machine). Now it stays in the folder asked for and goes with it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { expect, test } from "vitest";
import { startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres.ts";

test("a cluster asked for inside a throwaway temp folder lives there, and is gone with the folder", async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "tutorwise-pg-placement-"));
  const requested = path.join(folder, "postgres");
  const server = await startEmbeddedPostgres({ dataDir: requested, ephemeral: true, log: () => {} });
  try {
    expect(server.dataDir).toBe(requested);
    expect(fs.existsSync(path.join(requested, "PG_VERSION"))).toBe(true);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      expect((await client.query<{ answer: number }>("SELECT 41 + 1 AS answer")).rows[0]!.answer).toBe(42);
    } finally {
      await client.end();
    }
    // Others may pass through the folder, not list it.
    expect(fs.statSync(folder).mode & 0o007).toBe(process.getuid?.() === 0 ? 0o001 : 0);
  } finally {
    await server.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  }
  expect(fs.existsSync(requested)).toBe(false);
});
