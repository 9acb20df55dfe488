// Text for per-device fields (id, claim code) comes from a small glyph set rendered once per worker
// from SVG by sharp, then stamped per label: rasterising SVG text costs tens of milliseconds a label,
// stamping a few dozen glyphs costs microseconds.
import sharp from 'sharp'
import type { Bitmap, Mask } from './bitmap.js'
import { drawMask } from './bitmap.js'

export const MONO_FONT = "'DejaVu Sans Mono', 'Liberation Mono', monospace"
const INK_THRESHOLD = 192
/** Advance of DejaVu/Liberation Mono, in em. */
const MONO_ADVANCE_EM = 0.6

export interface GlyphSet {
  fontSizePx: number
  advance: number
  cellWidth: number
  cellBaseline: number
  glyphs: ReadonlyMap<string, Mask>
}

export const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** Renders `chars` in a monospace font, one cell each; fails loudly when no font draws them. */
export async function renderGlyphs (chars: string, fontSizePx: number, weight: 'normal' | 'bold'): Promise<GlyphSet> {
  const cellWidth = Math.ceil(fontSizePx * 0.8)
  const cellHeight = Math.ceil(fontSizePx * 1.3)
  const cellBaseline = Math.ceil(fontSizePx)
  const list = [...new Set(chars)]
  const texts = list.map((char, i) =>
    `<text x="${i * cellWidth + cellWidth / 2}" y="${cellBaseline}" text-anchor="middle">${escapeXml(char)}</text>`).join('')
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${list.length * cellWidth}" height="${cellHeight}">` +
    `<rect width="100%" height="100%" fill="#fff"/><g font-family="${MONO_FONT}" font-size="${fontSizePx}" font-weight="${weight}" fill="#000">${texts}</g></svg>`
  const { data, info } = await sharp(Buffer.from(svg)).greyscale().raw().toBuffer({ resolveWithObject: true })
  const glyphs = new Map<string, Mask>()
  list.forEach((char, i) => {
    const ink = new Uint8Array(cellWidth * cellHeight)
    let any = false
    for (let y = 0; y < cellHeight; y++) {
      for (let x = 0; x < cellWidth; x++) {
        // A light threshold keeps thin strokes (the underscore of `ocb_`) at small sizes and low dpi.
        const dark = data[y * info.width + i * cellWidth + x]! < INK_THRESHOLD
        ink[y * cellWidth + x] = dark ? 1 : 0
        any ||= dark
      }
    }
    if (!any && char.trim() !== '') throw new Error(`no font could draw "${char}" for the labels; install a monospace font (Debian: fonts-dejavu-core)`)
    glyphs.set(char, { width: cellWidth, height: cellHeight, ink })
  })
  return { fontSizePx, advance: fontSizePx * MONO_ADVANCE_EM, cellWidth, cellBaseline, glyphs }
}

export function textWidth (set: GlyphSet, length: number): number {
  return set.advance * length
}

export function drawText (bitmap: Bitmap, set: GlyphSet, text: string, x: number, baseline: number): void {
  let index = 0
  for (const char of text) {
    const glyph = set.glyphs.get(char)
    if (glyph === undefined) throw new Error(`no glyph for "${char}"`)
    const centre = x + (index + 0.5) * set.advance
    drawMask(bitmap, glyph, Math.round(centre - set.cellWidth / 2), baseline - set.cellBaseline)
    index++
  }
}
