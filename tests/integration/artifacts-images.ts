// Image fixtures for the snapshot tests, the e2e flow and bench/upload.ts. The JPEG and WebP are
// 24×16 drawings Chromium encoded (canvas.toDataURL); PNGs are built here, at any size.
import { crc32, deflateSync } from "node:zlib";

export const JPEG = Buffer.from(
  "/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wAARCAAQABgDASIAAhEBAxEB/8QAGAAAAgMAAAAAAAAAAAAAAAAAAAYEBwj/xAAoEAAABAQFAwUAAAAAAAAAAAABAgURAwQGEgATMUHBFBVCFiIyUXH/xAAXAQADAQAAAAAAAAAAAAAAAAABAgME/8QAHxEAAgEEAgMAAAAAAAAAAAAAAQIAAyExcREiUbHw/9oADAMBAAIRAxEAPwDTyupSiOmzE+oxiwZWAS85zbByI6AG44qzu9YP66y4nZfj2Zvf0eud9X+X5u2GFVQVKrKytXIGRTCWcp4EuJgHrozPeYA8QdmHkWfWBmYG0bDYmVlasTcgDG/OvciJClKLCbLz6dGLGlY5LyHLuHAhoIbDgwmpKCpUnWVqHAz6YVDGPHlwMAdDGZ7ygPiZmYOAcwDLUmZh2HBH1p//2Q==",
  "base64",
);

/** Lossy (VP8 inside VP8X) and lossless (VP8L inside VP8X) WebP. */
export const WEBP = Buffer.from(
  "UklGRtICAABXRUJQVlA4WAoAAAAgAAAAFwAADwAASUNDUMgBAAAAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADZWUDgg5AAAAHAFAJ0BKhgAEAA+bSySRaQioZgEAEAGxLMAXYYJWSmn/Y/x3zBPIBuVQki4By8dPuWBgQAA/v4wMP/4NaV4dodyvT/7wNch5AwvhN7D7S4YsnwndFUwU6edwb29ABMn6eS2YqRMbYp3WRLPX7xCaPah4/1CC64+/oDjadUIMSjG0Cz/3Um1+Wy6lntRY54VQeBPW6Yv7K/yuX/wCI/VONOiPtfDNBcuib/rwMvLs757SdOYQVXr29Mb//PUrxzf/EwvX9ronJ8Jj4plNC5PMrEx+Mkc+v/T0L0j+v/F7MxAVqAAAA==",
  "base64",
);
export const WEBP_LOSSLESS = Buffer.from(
  "UklGRvACAABXRUJQVlA4WAoAAAAgAAAAFwAADwAASUNDUMgBAAAAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADZWUDhMAgEAAC8XwAMAV6GgbSM31nX3G+orbNtIjSm9Z0aFbdu20cpO0t0HO//xy09AEzsBIHCwUYdKqXJJSBQIEsPeh5yMNrz/UBh1ALATAJkQyMnex2gDhYQw2jBKJ2eg6VzkLT4kJnujIGcUCOAwkmRV2e8uOHzFZfJP8NvjhxDRf4Vt2zYG0l3bSb4AAAAeDwAAMMY7it6r4pdL+W8NNnJdbVdEJdW1VP2NztYedrK7P3H3VUwChfy7MV6h4s9k4BMrfBnimyl4zi08A2XfJUo516WHq6NyYeEo1aZcauk0M9BoYDflPpFbLdA7A7upVnNy7wYHpR8TZuTJ7Oj8NNV8QX4BYF1XAQ==",
  "base64",
);

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A valid RGB PNG. `noise` fills it with pseudo-random pixels stored without compression, so the
 * file is about width × height × 3 bytes (bench/upload.ts needs a real 8 MB PNG).
 */
export function makePng(width = 16, height = 12, options: { noise?: boolean } = {}): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  const rows = Buffer.alloc(height * (width * 3 + 1));
  let seed = 0x2f6b1d;
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    rows[row] = 0; // filter: none
    for (let x = 0; x < width * 3; x++) {
      if (options.noise) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        rows[row + 1 + x] = seed >>> 24;
      } else {
        rows[row + 1 + x] = (x * 7 + y * 13) & 0xff;
      }
    }
  }
  const pixels = deflateSync(rows, { level: options.noise ? 0 : 6 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", new Uint8Array()),
  ]);
}

/** A PNG of about `bytes` bytes. */
export function makePngOfSize(bytes: number): Buffer {
  const width = 1024;
  return makePng(width, Math.max(1, Math.ceil(bytes / (width * 3 + 1))), { noise: true });
}

export const PNG = makePng();

export const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="teal"/></svg>',
);
export const SVG_WITH_SCRIPT = Buffer.from(
  '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">' +
    '<script>fetch("/api/steal?c="+document.cookie)</script><rect width="10" height="10"/></svg>',
);
export const HTML = Buffer.from("<!doctype html><html><body><script>alert(document.cookie)</script></body></html>");
export const TEXT = Buffer.from("Just some notes from the lesson, not an image.\n");
export const GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");
