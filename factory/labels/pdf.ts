// A one-page PDF holding a 1-bit raster at its physical size: the printer gets exact millimetres
// whatever its driver thinks of PNG resolution. The raster is deflated with node:zlib and embedded
// as an image XObject directly (PDF 1.7 §8.9.5), which avoids pdf-lib decoding a PNG again.
import { deflateSync } from 'node:zlib'
import { concatTransformationMatrix, drawObject, PDFDocument, popGraphicsState, pushGraphicsState } from 'pdf-lib'
import type { Bitmap } from './bitmap.js'

const POINTS_PER_MM = 72 / 25.4

export async function encodePdfPage (bitmap: Bitmap, widthMm: number, heightMm: number, title: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  doc.setTitle(title)
  doc.setProducer('openclaw-factory')
  const width = widthMm * POINTS_PER_MM
  const height = heightMm * POINTS_PER_MM
  const page = doc.addPage([width, height])
  const image = doc.context.stream(deflateSync(bitmap.data), {
    Type: 'XObject',
    Subtype: 'Image',
    Width: bitmap.width,
    Height: bitmap.height,
    ColorSpace: 'DeviceGray',
    BitsPerComponent: 1,
    Filter: 'FlateDecode'
  })
  const name = page.node.newXObject('Sheet', doc.context.register(image))
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(width, 0, 0, height, 0, 0), drawObject(name), popGraphicsState())
  return await doc.save({ useObjectStreams: false })
}
