// Real display: the Linux framebuffer (`/dev/fb0`). Its geometry and pixel format are read from
// sysfs (/sys/class/graphics/fb0/{virtual_size,bits_per_pixel,stride}), as fbset does, and each
// screen is converted to that format: RGB565 for 16 bpp, BGR for 24 bpp, BGRX (XRGB8888 little
// endian) for 32 bpp, the layouts the kernel's common drivers (vc4, simplefb, fbtft) use.
import { open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { renderScreen } from './render.js'
import type { DisplayDriver } from './types.js'

export interface FramebufferGeometry {
  width: number
  height: number
  bitsPerPixel: 16 | 24 | 32
  /** Bytes per row, padding included. */
  stride: number
}

export async function readFramebufferGeometry (sysfsDir: string): Promise<FramebufferGeometry> {
  const read = async (name: string): Promise<string> => (await readFile(join(sysfsDir, name), 'utf8')).trim()
  const [width, height] = (await read('virtual_size')).split(',').map(Number) as [number, number]
  const bitsPerPixel = Number(await read('bits_per_pixel'))
  const stride = Number(await read('stride'))
  if (!(width > 0 && height > 0)) throw new Error(`${sysfsDir}/virtual_size is not "width,height"`)
  if (bitsPerPixel !== 16 && bitsPerPixel !== 24 && bitsPerPixel !== 32) throw new Error(`unsupported framebuffer depth ${bitsPerPixel} bpp`)
  if (!(stride >= width * bitsPerPixel / 8)) throw new Error(`${sysfsDir}/stride ${stride} is shorter than a row`)
  return { width, height, bitsPerPixel, stride }
}

/** RGBA pixels (width x height of the geometry) in the framebuffer's memory layout. */
export function toFramebufferBytes (rgba: Buffer, geometry: FramebufferGeometry): Buffer {
  const { width, height, bitsPerPixel, stride } = geometry
  const out = Buffer.alloc(stride * height)
  const bytes = bitsPerPixel / 8
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4
      const r = rgba[i]!
      const g = rgba[i + 1]!
      const b = rgba[i + 2]!
      const o = y * stride + x * bytes
      if (bitsPerPixel === 16) {
        out.writeUInt16LE(((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3), o)
      } else {
        out[o] = b
        out[o + 1] = g
        out[o + 2] = r
        if (bitsPerPixel === 32) out[o + 3] = 0xff
      }
    }
  }
  return out
}

export function createFramebufferDisplay (device = '/dev/fb0', sysfsDir = '/sys/class/graphics/fb0'): DisplayDriver {
  let geometry: Promise<FramebufferGeometry> | undefined
  return {
    async show (screen) {
      const g = await (geometry ??= readFramebufferGeometry(sysfsDir))
      const { rgba } = await renderScreen(screen, g.width, g.height)
      // r+ : a framebuffer device cannot be truncated, and a test's regular file must not be either.
      const fb = await open(device, 'r+')
      try {
        await fb.write(toFramebufferBytes(rgba, g), 0, undefined, 0)
      } finally {
        await fb.close()
      }
    }
  }
}
