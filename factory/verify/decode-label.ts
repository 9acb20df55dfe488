// Reads a label PNG back the way a phone would: pixels in, QR text out.
import jsqr from 'jsqr'
import sharp from 'sharp'

// jsQR's cost grows with the pixel count; a print-resolution label carries several pixels per QR
// module, so a smaller copy still decodes reliably at a fraction of the time.
const DECODE_WIDTH = 320

/** The QR payload of the image at `path`, or undefined when no QR code can be read from it. */
export async function decodeLabelQr (path: string): Promise<string | undefined> {
  const image = sharp(path)
  const { width = 0 } = await image.metadata()
  const { data, info } = await image.resize({ width: Math.min(width, DECODE_WIDTH), kernel: 'linear' })
    .ensureAlpha().raw().toBuffer({ resolveWithObject: true })
  // jsqr is a UMD bundle: under NodeNext its default import is the module object.
  const found = jsqr.default(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), info.width, info.height, { inversionAttempts: 'dontInvert' })
  return found?.data
}
