import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@supabase/supabase-js";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  createLocalStorage,
  createSupabaseStorage,
  StorageUnavailableError,
  type ObjectStorage,
} from "~/.server/artifacts/storage";
import { testStandIns } from "../support/stand-ins.ts";
import { JPEG, PNG, WEBP } from "./artifacts-images.ts";

// One contract, two adapters: the local folder (embedded default) and Supabase Storage (production,
// here against the Supabase stand-in). Both must behave the same for the snapshot service.

const localDir = fs.mkdtempSync(path.join(os.tmpdir(), "storage-contract-"));
afterAll(() => fs.rmSync(localDir, { recursive: true, force: true }));

const adapters: [string, () => ObjectStorage][] = [
  ["local folder", () => createLocalStorage({ dir: localDir, bucket: `bucket-${randomUUID().slice(0, 8)}` })],
  [
    "Supabase Storage",
    () =>
      createSupabaseStorage({
        url: testStandIns.supabase.url,
        serviceRoleKey: testStandIns.supabase.serviceRoleKey,
        bucket: `bucket-${randomUUID().slice(0, 8)}`,
      }),
  ],
];

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

describe.each(adapters)("the %s adapter", (_name, make) => {
  const folder = () => randomUUID();

  it("stores bytes and reads them back with the content type of our extension", async () => {
    const storage = make();
    const id = folder();
    await storage.put(`${id}/a.png`, PNG, "image/png");
    await storage.put(`${id}/b.jpg`, JPEG, "image/jpeg");
    await storage.put(`${id}/c.webp`, WEBP, "image/webp");
    for (const [name, bytes, type] of [
      ["a.png", PNG, "image/png"],
      ["b.jpg", JPEG, "image/jpeg"],
      ["c.webp", WEBP, "image/webp"],
    ] as const) {
      const object = await storage.get(`${id}/${name}`);
      expect(object?.contentType).toBe(type);
      expect((await readAll(object!.body)).equals(bytes)).toBe(true);
    }
  });

  it("answers null for an object that does not exist", async () => {
    const storage = make();
    expect(await storage.get(`${folder()}/missing.png`)).toBeNull();
  });

  it("lists the objects directly in a folder, sorted, and nothing from other folders", async () => {
    const storage = make();
    const id = folder();
    await storage.put(`${id}/b.png`, PNG, "image/png");
    await storage.put(`${id}/a.png`, PNG, "image/png");
    await storage.put(`${folder()}/c.png`, PNG, "image/png");
    expect(await storage.list(id)).toEqual([`${id}/a.png`, `${id}/b.png`]);
    expect(await storage.list(folder())).toEqual([]);
  });

  it("removes an object, and removing it again is not an error", async () => {
    const storage = make();
    const id = folder();
    await storage.put(`${id}/a.png`, PNG, "image/png");
    await storage.put(`${id}/b.png`, PNG, "image/png");
    await storage.remove(`${id}/a.png`);
    expect(await storage.get(`${id}/a.png`)).toBeNull();
    expect(await storage.list(id)).toEqual([`${id}/b.png`]);
    await expect(storage.remove(`${id}/a.png`)).resolves.toBeUndefined();
  });

  it.each([
    "../escape.png",
    "a/../../escape.png",
    "/absolute.png",
    "a//b.png",
    "a/b c.png",
    "",
    "a/.hidden",
    "a/b.png/",
  ])("refuses the unsafe path %j", async (unsafe) => {
    const storage = make();
    await expect(storage.put(unsafe, PNG, "image/png")).rejects.toThrow(/unsafe object path/);
    await expect(storage.get(unsafe)).rejects.toThrow(/unsafe object path/);
    await expect(storage.remove(unsafe)).rejects.toThrow(/unsafe object path/);
  });
});

describe("the local folder adapter", () => {
  it("mirrors the object path under STORAGE_DIR/<bucket>/ and leaves no temporary files", async () => {
    const storage = createLocalStorage({ dir: localDir, bucket: "booking-artifacts" });
    const id = randomUUID();
    await storage.put(`${id}/x.png`, PNG, "image/png");
    const folder = path.join(localDir, "booking-artifacts", id);
    expect(fs.readdirSync(folder)).toEqual(["x.png"]);
    expect(fs.readFileSync(path.join(folder, "x.png")).equals(PNG)).toBe(true);
  });

  it("removes a booking's folder once its last object is gone", async () => {
    const storage = createLocalStorage({ dir: localDir, bucket: "booking-artifacts" });
    const id = randomUUID();
    await storage.put(`${id}/x.png`, PNG, "image/png");
    await storage.remove(`${id}/x.png`);
    expect(fs.existsSync(path.join(localDir, "booking-artifacts", id))).toBe(false);
    expect(fs.existsSync(path.join(localDir, "booking-artifacts"))).toBe(true);
  });

  it("a write that fails is a StorageUnavailableError", async () => {
    const blocked = path.join(localDir, "not-a-folder");
    fs.writeFileSync(blocked, "a file where the bucket folder should be");
    const storage = createLocalStorage({ dir: blocked, bucket: "booking-artifacts" });
    await expect(storage.put(`${randomUUID()}/x.png`, PNG, "image/png")).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );
  });
});

describe("the Supabase Storage adapter", () => {
  const admin = () =>
    createClient(testStandIns.supabase.url, testStandIns.supabase.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    });

  function make(bucket = `bucket-${randomUUID().slice(0, 8)}`) {
    return {
      bucket,
      storage: createSupabaseStorage({
        url: testStandIns.supabase.url,
        serviceRoleKey: testStandIns.supabase.serviceRoleKey,
        bucket,
      }),
    };
  }

  it("creates its bucket, private and for images only, when it is missing", async () => {
    const { bucket, storage } = make();
    expect((await admin().storage.getBucket(bucket)).data).toBeNull();
    await storage.put(`${randomUUID()}/a.png`, PNG, "image/png");
    const { data } = await admin().storage.getBucket(bucket);
    expect(data).toMatchObject({ public: false, allowed_mime_types: ["image/png", "image/jpeg", "image/webp"] });
  });

  it("keeps objects private: the publishable (anon) key cannot read them", async () => {
    const { bucket, storage } = make();
    const objectPath = `${randomUUID()}/a.png`;
    await storage.put(objectPath, PNG, "image/png");
    const anon = createClient(testStandIns.supabase.url, testStandIns.supabase.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    });
    const { data, error } = await anon.storage.from(bucket).download(objectPath);
    expect(data).toBeNull();
    expect(error).not.toBeNull();
    const publicUrl = anon.storage.from(bucket).getPublicUrl(objectPath).data.publicUrl;
    expect((await fetch(publicUrl)).ok).toBe(false);
  });

  it("uses an existing private bucket as it is", async () => {
    const bucket = `bucket-${randomUUID().slice(0, 8)}`;
    await admin().storage.createBucket(bucket, { public: false });
    const { storage } = make(bucket);
    await storage.put(`${randomUUID()}/a.png`, PNG, "image/png");
    expect((await admin().storage.getBucket(bucket)).data).toMatchObject({ public: false, allowed_mime_types: null });
  });

  it("refuses to store anything in a public bucket", async () => {
    const bucket = `bucket-${randomUUID().slice(0, 8)}`;
    await admin().storage.createBucket(bucket, { public: true });
    const { storage } = make(bucket);
    await expect(storage.put(`${randomUUID()}/a.png`, PNG, "image/png")).rejects.toThrow(/is public/);
  });

  it("storage being down is a StorageUnavailableError, and it recovers once storage is back", async () => {
    const { storage } = make();
    const id = randomUUID();
    testStandIns.supabase.setStorageDown(true);
    try {
      await expect(storage.put(`${id}/a.png`, PNG, "image/png")).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(storage.get(`${id}/a.png`)).rejects.toBeInstanceOf(StorageUnavailableError);
    } finally {
      testStandIns.supabase.setStorageDown(false);
    }
    await storage.put(`${id}/a.png`, PNG, "image/png");
    expect(await storage.list(id)).toEqual([`${id}/a.png`]);
  });
});
