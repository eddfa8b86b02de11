import { describe, expect, it } from "vitest";
import {
  GIF,
  HTML,
  JPEG,
  makePng,
  PNG,
  SVG,
  SVG_WITH_SCRIPT,
  TEXT,
  WEBP,
  WEBP_LOSSLESS,
} from "../../tests/integration/artifacts-images";
import { imageTypeForExtension, sniffImage } from "./image-type";

const cut = (bytes: Uint8Array, keep: number) => bytes.subarray(0, keep);

describe("sniffImage accepts PNG, JPEG and WebP by their bytes", () => {
  it.each([
    ["a PNG", PNG, "png", "image/png"],
    ["a large PNG", makePng(300, 200, { noise: true }), "png", "image/png"],
    ["a JPEG", JPEG, "jpg", "image/jpeg"],
    ["a lossy WebP", WEBP, "webp", "image/webp"],
    ["a lossless WebP", WEBP_LOSSLESS, "webp", "image/webp"],
  ])("%s is recognised with its real type and extension", (_label, bytes, extension, contentType) => {
    expect(sniffImage(bytes)).toEqual({ ok: true, type: expect.objectContaining({ extension, contentType }) });
  });

  it("bytes after a complete image do not matter (cameras append data)", () => {
    expect(sniffImage(Buffer.concat([PNG, Buffer.from("trailer")])).ok).toBe(true);
    expect(sniffImage(Buffer.concat([JPEG, Buffer.from([0, 0, 0])])).ok).toBe(true);
  });
});

describe("sniffImage refuses everything else", () => {
  it("an empty file is empty", () => {
    expect(sniffImage(new Uint8Array())).toEqual({ ok: false, reason: "empty" });
  });

  it.each([
    ["SVG", SVG],
    ["SVG with a script", SVG_WITH_SCRIPT],
    ["HTML", HTML],
    ["plain text", TEXT],
    ["GIF", GIF],
    ["one byte", Buffer.from([0x89])],
    [
      "a RIFF file that is not WebP (WAVE)",
      Buffer.concat([Buffer.from("RIFF"), Buffer.from([36, 0, 0, 0]), Buffer.from("WAVEfmt "), Buffer.alloc(28)]),
    ],
  ])("%s is unsupported", (_label, bytes) => {
    expect(sniffImage(bytes)).toEqual({ ok: false, reason: "unsupported" });
  });
});

describe("sniffImage refuses truncated images", () => {
  it.each([
    ["PNG signature only", cut(PNG, 8)],
    ["PNG cut in the header chunk", cut(PNG, 20)],
    ["PNG cut in the pixel data", cut(PNG, PNG.length - 30)],
    ["PNG missing only its IEND chunk", cut(PNG, PNG.length - 12)],
    ["PNG cut inside IEND", cut(PNG, PNG.length - 3)],
    ["half a PNG signature", cut(PNG, 4)],
    ["JPEG start marker only", cut(JPEG, 2)],
    ["JPEG cut in its headers", cut(JPEG, 100)],
    ["JPEG cut in the image data", cut(JPEG, JPEG.length - 10)],
    ["JPEG missing only its end marker", cut(JPEG, JPEG.length - 2)],
    ["WebP cut in the middle", cut(WEBP, Math.floor(WEBP.length / 2))],
    ["WebP missing its last byte", cut(WEBP, WEBP.length - 1)],
    ["WebP header only", cut(WEBP, 12)],
    ["RIFF header only", cut(WEBP, 6)],
  ])("%s", (_label, bytes) => {
    expect(sniffImage(bytes)).toEqual({ ok: false, reason: "truncated" });
  });

  it("a PNG whose first chunk is not IHDR is refused", () => {
    const broken = Buffer.from(PNG);
    broken.write("ABCD", 12, "ascii");
    expect(sniffImage(broken).ok).toBe(false);
  });

  it("a JPEG that ends before any image data is refused", () => {
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xd9])).ok).toBe(false);
  });

  it("a WebP whose RIFF size claims more than was sent is refused", () => {
    const lying = Buffer.from(WEBP);
    lying.writeUInt32LE(WEBP.length * 2, 4);
    expect(sniffImage(lying)).toEqual({ ok: false, reason: "truncated" });
  });
});

describe("imageTypeForExtension", () => {
  it("maps our own extensions back to their content types", () => {
    expect(imageTypeForExtension("png")?.contentType).toBe("image/png");
    expect(imageTypeForExtension("jpg")?.contentType).toBe("image/jpeg");
    expect(imageTypeForExtension("webp")?.contentType).toBe("image/webp");
  });

  it("knows nothing else", () => {
    expect(imageTypeForExtension("svg")).toBeNull();
    expect(imageTypeForExtension("exe")).toBeNull();
  });
});
