// Draws a screen (title, lines, optional QR) as raw RGBA pixels of the display's size with sharp;
// the framebuffer and PNG drivers only differ in where the pixels go.
import QRCode from 'qrcode'
import sharp from 'sharp'
import type { Screen } from './types.js'

export interface RenderedScreen {
  /** width * height * 4 bytes, RGBA, rows top to bottom. */
  rgba: Buffer
  width: number
  height: number
}

const escapeXml = (text: string): string => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)

export async function renderScreen (screen: Screen, width: number, height: number): Promise<RenderedScreen> {
  const pad = Math.round(Math.min(width, height) * 0.05)
  const qrSize = screen.qr === undefined ? 0 : Math.min(height - 2 * pad, Math.round(width * 0.5))
  const textX = screen.qr === undefined ? pad : qrSize + 2 * pad
  const titleSize = Math.max(12, Math.round(height / 12))
  const lineSize = Math.max(10, Math.round(height / 20))
  const lines = screen.lines.map((line, i) =>
    `<text x="${textX}" y="${pad + titleSize * 2 + i * lineSize * 1.5}" font-size="${lineSize}">${escapeXml(line)}</text>`)
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#ffffff"/>
    <g font-family="DejaVu Sans, sans-serif" fill="#000000">
      <text x="${textX}" y="${pad + titleSize}" font-size="${titleSize}" font-weight="bold">${escapeXml(screen.title)}</text>
      ${lines.join('\n')}
    </g></svg>`
  const composite = screen.qr === undefined
    ? []
    : [{ input: await QRCode.toBuffer(screen.qr, { width: qrSize, margin: 2, errorCorrectionLevel: 'M' }), left: pad, top: Math.round((height - qrSize) / 2) }]
  const rgba = await sharp(Buffer.from(svg)).resize(width, height).composite(composite).ensureAlpha().raw().toBuffer()
  return { rgba, width, height }
}
