// Setup file of the integration project: runs before each test file, so that every file (and the app
// modules it imports, which read DATABASE_URL) works on a database of its own. Databases are not
// dropped: the whole cluster is deleted when the run ends.
import { freshDatabase } from "./database.ts";

process.env.DATABASE_URL = await freshDatabase();
