// One label: the claim QR on the left (with its 4-module quiet zone, ISO/IEC 18004 §6.3.8), and on
// the right the model, the device id and the claim code as text people can type. What is the same
// on every label (model, captions) is rendered once into a template; per label we copy the
// template, draw the QR modules and stamp the id and code glyphs.
import QRCode from 'qrcode'
import sharp from 'sharp'
import { CROCKFORD_ALPHABET } from '../../protocol/crockford.js'
import { DEVICE_ID_PREFIX } from '../../protocol/device-id.js'
import { bitmapFromGrey, cloneBitmap, fillBlack, type Bitmap } from './bitmap.js'
import type { LabelPixels } from './geometry.js'
import { drawText, escapeXml, renderGlyphs, type GlyphSet } from './glyphs.js'

const QUIET_ZONE_MODULES = 4
const ERROR_CORRECTION = 'M' // survives ~15% damage: scuffed labels still scan
const SANS_FONT = "'DejaVu Sans', 'Liberation Sans', sans-serif"

export interface LabelDesign extends LabelPixels {
  model: string
  /** Any claim URL of this batch: all have the same length, hence the same QR version. */
  sampleClaimUrl: string
}

export interface LabelContent {
  deviceId: string
  code: string
  claimUrl: string
}

export type LabelRenderer = (content: LabelContent) => Bitmap

interface Layout {
  qrVersion: number
  qrScale: number
  qrTop: number
  textX: number
  textWidth: number
  baselines: { model: number, idCaption: number, id: number, codeCaption: number, code: number }
  fontSizes: { model: number, caption: number, id: number, code: number }
}

function layoutFor (design: LabelDesign): Layout {
  const { widthPx: w, heightPx: h } = design
  const sample = QRCode.create(design.sampleClaimUrl, { errorCorrectionLevel: ERROR_CORRECTION })
  const modules = sample.modules.size + 2 * QUIET_ZONE_MODULES
  const qrScale = Math.floor(Math.min(h, w / 2) / modules)
  if (qrScale < 2) throw new Error(`a ${w}x${h} px label is too small for the claim QR; use a larger --label-size or --dpi`)
  const qrSize = qrScale * modules
  const margin = Math.round(h * 0.05)
  const textWidth = w - qrSize - margin
  const fit = (chars: number, maxPx: number): number => Math.floor(Math.min(maxPx, textWidth / (chars * 0.62)))
  return {
    qrVersion: sample.version,
    qrScale,
    qrTop: Math.floor((h - qrSize) / 2),
    textX: qrSize,
    textWidth,
    baselines: { model: Math.round(h * 0.22), idCaption: Math.round(h * 0.38), id: Math.round(h * 0.52), codeCaption: Math.round(h * 0.7), code: Math.round(h * 0.88) },
    fontSizes: { model: Math.floor(Math.min(h * 0.12, textWidth / (design.model.length * 0.72))), caption: Math.round(h * 0.055), id: fit(20, h * 0.085), code: fit(11, h * 0.15) }
  }
}

async function renderTemplate (design: LabelDesign, layout: Layout): Promise<Bitmap> {
  const { textX: x, baselines: b, fontSizes: f } = layout
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${design.widthPx}" height="${design.heightPx}">` +
    '<rect width="100%" height="100%" fill="#fff"/>' +
    `<g font-family="${SANS_FONT}" fill="#000">` +
    `<text x="${x}" y="${b.model}" font-size="${f.model}" font-weight="bold">${escapeXml(design.model)}</text>` +
    `<text x="${x}" y="${b.idCaption}" font-size="${f.caption}">DEVICE ID</text>` +
    `<text x="${x}" y="${b.codeCaption}" font-size="${f.caption}">CLAIM CODE · scan to claim</text>` +
    '</g></svg>'
  const grey = await sharp(Buffer.from(svg)).greyscale().raw().toBuffer()
  return bitmapFromGrey(grey, design.widthPx, design.heightPx)
}

function drawQr (bitmap: Bitmap, text: string, layout: Layout): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: ERROR_CORRECTION, version: layout.qrVersion })
  const { size, data } = qr.modules
  const origin = QUIET_ZONE_MODULES * layout.qrScale
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (data[row * size + col]) {
        fillBlack(bitmap, origin + col * layout.qrScale, layout.qrTop + origin + row * layout.qrScale, layout.qrScale, layout.qrScale)
      }
    }
  }
}

export async function createLabelRenderer (design: LabelDesign): Promise<LabelRenderer> {
  const layout = layoutFor(design)
  const [template, idGlyphs, codeGlyphs]: [Bitmap, GlyphSet, GlyphSet] = await Promise.all([
    renderTemplate(design, layout),
    renderGlyphs(DEVICE_ID_PREFIX + CROCKFORD_ALPHABET, layout.fontSizes.id, 'normal'),
    renderGlyphs(`${CROCKFORD_ALPHABET}-`, layout.fontSizes.code, 'bold')
  ])
  return ({ deviceId, code, claimUrl }) => {
    const label = cloneBitmap(template)
    drawQr(label, claimUrl, layout)
    drawText(label, idGlyphs, deviceId, layout.textX, layout.baselines.id)
    drawText(label, codeGlyphs, code, layout.textX, layout.baselines.code)
    return label
  }
}
