// Reads a QR code back from pixels, as a phone camera would: raw RGBA or an image file.
import jsqr from 'jsqr'
import sharp from 'sharp'

export function decodeQrPixels (rgba: Buffer, width: number, height: number): string | undefined {
  // jsqr is a UMD bundle: under NodeNext its default import is the module object.
  return jsqr.default(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength), width, height)?.data
}

export async function decodeQrImage (file: string): Promise<string | undefined> {
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
  return decodeQrPixels(data, info.width, info.height)
}
