/**
 * What kind of image an upload really is, judged by its bytes only (docs/decisions/0021-snapshot-upload.md): never
 * by its name or the type the browser declared. PNG, JPEG and WebP are accepted; everything else
 * (SVG, HTML, GIF, text…) is not. A file whose structure ends early is refused as truncated, so a
 * half-sent photo never becomes the lesson's snapshot. Pure: bytes in, verdict out.
 */
export type ImageKind = "png" | "jpeg" | "webp";

export type ImageType = { kind: ImageKind; extension: "png" | "jpg" | "webp"; contentType: string };

export const IMAGE_TYPES: Record<ImageKind, ImageType> = {
  png: { kind: "png", extension: "png", contentType: "image/png" },
  jpeg: { kind: "jpeg", extension: "jpg", contentType: "image/jpeg" },
  webp: { kind: "webp", extension: "webp", contentType: "image/webp" },
};

export type SniffResult = { ok: true; type: ImageType } | { ok: false; reason: "empty" | "unsupported" | "truncated" };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function sniffImage(bytes: Uint8Array): SniffResult {
  if (bytes.length === 0) return { ok: false, reason: "empty" };
  if (startsWith(bytes, PNG_SIGNATURE)) return verdict("png", isCompletePng(bytes));
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return verdict("jpeg", isCompleteJpeg(bytes));
  }
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") return verdict("webp", isCompleteWebp(bytes));
  // A signature cut short is still a truncated image of that kind, not "some other file".
  if (isPrefixOfSignature(bytes)) return { ok: false, reason: "truncated" };
  return { ok: false, reason: "unsupported" };
}

/** The image type a stored object's extension stands for (our own names only). */
export function imageTypeForExtension(extension: string): ImageType | null {
  return Object.values(IMAGE_TYPES).find((type) => type.extension === extension) ?? null;
}

function verdict(kind: ImageKind, complete: boolean): SniffResult {
  return complete ? { ok: true, type: IMAGE_TYPES[kind] } : { ok: false, reason: "truncated" };
}

/** Walks the chunks: IHDR first, every chunk inside the file, up to IEND. */
function isCompletePng(bytes: Uint8Array): boolean {
  let offset = PNG_SIGNATURE.length;
  let first = true;
  while (offset + 12 <= bytes.length) {
    const length = uint32be(bytes, offset);
    const type = ascii(bytes, offset + 4, 4);
    if (first && (type !== "IHDR" || length !== 13)) return false;
    first = false;
    const next = offset + 12 + length;
    if (next > bytes.length) return false;
    if (type === "IEND") return true;
    offset = next;
  }
  return false;
}

/**
 * Walks the header segments by their lengths to the first scan (SOS), then needs the end-of-image
 * marker after it. Inside scan data 0xFF is always escaped (FF 00), so FF D9 there is the real end;
 * an EXIF thumbnail's own FF D9 sits in a header segment and is skipped by its length.
 */
function isCompleteJpeg(bytes: Uint8Array): boolean {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return false;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd9) return false; // ends before any image data
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length
      continue;
    }
    const length = (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    if (length < 2) return false;
    const next = offset + 2 + length;
    if (next > bytes.length) return false;
    if (marker === 0xda) return hasEndOfImage(bytes, next);
    offset = next;
  }
  return false;
}

function hasEndOfImage(bytes: Uint8Array, from: number): boolean {
  for (let i = bytes.length - 2; i >= from; i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
  return false;
}

/** The RIFF size counts every byte after the first eight; fewer than that means it was cut. */
function isCompleteWebp(bytes: Uint8Array): boolean {
  if (bytes.length < 20) return false;
  const riffSize = uint32le(bytes, 4);
  if (riffSize < 12 || bytes.length < 8 + riffSize) return false;
  const chunk = ascii(bytes, 12, 4);
  if (chunk !== "VP8 " && chunk !== "VP8L" && chunk !== "VP8X") return false;
  // The first chunk must fit too (its payload is padded to an even length).
  const chunkSize = uint32le(bytes, 16);
  return 20 + chunkSize <= 8 + riffSize;
}

/** At least two bytes of a signature and nothing more: the start of an image that was cut short. */
function isPrefixOfSignature(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  if (bytes.length < PNG_SIGNATURE.length && PNG_SIGNATURE.slice(0, bytes.length).every((b, i) => bytes[i] === b)) {
    return true;
  }
  if (bytes.length === 2 && bytes[0] === 0xff && bytes[1] === 0xd8) return true;
  if (bytes.length < 12 && ascii(bytes, 0, 4) === "RIFF") return "WEBP".startsWith(ascii(bytes, 8, 4));
  return false;
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  let text = "";
  for (let i = offset; i < offset + length && i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

function uint32be(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) >>> 0) + (bytes[offset + 1]! << 16) + (bytes[offset + 2]! << 8) + bytes[offset + 3]!;
}

function uint32le(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! + (bytes[offset + 1]! << 8) + (bytes[offset + 2]! << 16) + ((bytes[offset + 3]! << 24) >>> 0);
}
