// A 1-bit image, rows packed MSB first, 1 = white. Labels go to monochrome label and laser
// printers; one bit per pixel keeps QR modules crisp and files small, and it is what PNG (colour
// type 0, depth 1) and PDF (DeviceGray, 1 bit) store directly.
export interface Bitmap {
  readonly width: number
  readonly height: number
  /** Bytes per row. */
  readonly stride: number
  readonly data: Uint8Array
}

export function createBitmap (width: number, height: number): Bitmap {
  const stride = Math.ceil(width / 8)
  return { width, height, stride, data: new Uint8Array(stride * height).fill(0xff) }
}

export function cloneBitmap (source: Bitmap): Bitmap {
  return { ...source, data: source.data.slice() }
}

export function fillBlack (bitmap: Bitmap, x: number, y: number, width: number, height: number): void {
  const x0 = Math.max(0, x)
  const x1 = Math.min(bitmap.width, x + width)
  if (x1 <= x0) return
  // Whole bytes at once in the middle of the span, bit masks only at its two ends.
  const firstByte = x0 >> 3
  const lastByte = (x1 - 1) >> 3
  const headMask = 0xff >> (x0 & 7)
  const tailMask = (0xff << (7 - ((x1 - 1) & 7))) & 0xff
  for (let row = Math.max(0, y); row < Math.min(bitmap.height, y + height); row++) {
    const offset = row * bitmap.stride
    if (firstByte === lastByte) {
      bitmap.data[offset + firstByte]! &= ~(headMask & tailMask)
      continue
    }
    bitmap.data[offset + firstByte]! &= ~headMask
    bitmap.data.fill(0, offset + firstByte + 1, offset + lastByte)
    bitmap.data[offset + lastByte]! &= ~tailMask
  }
}

/** An alpha mask, one byte per pixel, non-zero = ink. */
export interface Mask {
  readonly width: number
  readonly height: number
  readonly ink: Uint8Array
}

export function drawMask (bitmap: Bitmap, mask: Mask, x: number, y: number): void {
  for (let my = 0; my < mask.height; my++) {
    const row = y + my
    if (row < 0 || row >= bitmap.height) continue
    const offset = row * bitmap.stride
    for (let mx = 0; mx < mask.width; mx++) {
      const col = x + mx
      if (mask.ink[my * mask.width + mx] !== 0 && col >= 0 && col < bitmap.width) bitmap.data[offset + (col >> 3)]! &= ~(0x80 >> (col & 7))
    }
  }
}

/** Copies whole rows of bytes, so x must be byte-aligned (sheets lay labels out on 8-pixel steps). */
export function pasteAligned (target: Bitmap, source: Bitmap, x: number, y: number): void {
  if (x % 8 !== 0) throw new RangeError(`x must be a multiple of 8, got ${x}`)
  const byteX = x / 8
  const bytes = Math.min(source.stride, target.stride - byteX)
  for (let row = 0; row < source.height && y + row < target.height; row++) {
    const from = row * source.stride
    target.data.set(source.data.subarray(from, from + bytes), (y + row) * target.stride + byteX)
  }
}

/** Threshold a greyscale raster (one byte per pixel) into a bitmap: darker than mid-grey is ink. */
export function bitmapFromGrey (grey: Uint8Array, width: number, height: number): Bitmap {
  const bitmap = createBitmap(width, height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (grey[y * width + x]! < 128) bitmap.data[y * bitmap.stride + (x >> 3)]! &= ~(0x80 >> (x & 7))
    }
  }
  return bitmap
}
