// Minimal PNG writer for 1-bit greyscale (PNG spec, ISO/IEC 15948: IHDR, pHYs, IDAT, IEND). Far
// cheaper per label than a general image pipeline, and it records the print resolution in pHYs.
import { crc32, deflateSync } from 'node:zlib'
import type { Bitmap } from './bitmap.js'

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)
const INCHES_PER_METRE = 1 / 0.0254

function chunk (type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length)
  out.writeUInt32BE(body.length, 0)
  out.write(type, 4, 'latin1')
  out.set(body, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length)
  return out
}

export function encodePng (bitmap: Bitmap, dpi: number): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(bitmap.width, 0)
  header.writeUInt32BE(bitmap.height, 4)
  header[8] = 1 // bit depth
  header[9] = 0 // colour type: greyscale; 0 = black, 1 = white, as in Bitmap
  const density = Buffer.alloc(9)
  const perMetre = Math.round(dpi * INCHES_PER_METRE)
  density.writeUInt32BE(perMetre, 0)
  density.writeUInt32BE(perMetre, 4)
  density[8] = 1 // unit: metre
  // Each scanline is prefixed with filter type 0 (None); 1-bit art gains little from filtering.
  const scanlines = Buffer.alloc((bitmap.stride + 1) * bitmap.height)
  for (let y = 0; y < bitmap.height; y++) {
    scanlines.set(bitmap.data.subarray(y * bitmap.stride, (y + 1) * bitmap.stride), y * (bitmap.stride + 1) + 1)
  }
  return Buffer.concat([
    SIGNATURE, chunk('IHDR', header), chunk('pHYs', density), chunk('IDAT', deflateSync(scanlines)), chunk('IEND', new Uint8Array())
  ])
}
