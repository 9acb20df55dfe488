import t from 'tap'
import sharp from 'sharp'
import { createBitmap, drawMask, fillBlack, pasteAligned, type Bitmap } from '../../factory/labels/bitmap.js'
import { sheetLayout } from '../../factory/labels/geometry.js'
import { encodePng } from '../../factory/labels/png.js'

const black = (bitmap: Bitmap, x: number, y: number): boolean => (bitmap.data[y * bitmap.stride + (x >> 3)]! & (0x80 >> (x & 7))) === 0

t.test('fillBlack paints exactly the rectangle, across byte boundaries', async (t) => {
  for (const [x, w] of [[0, 1], [3, 2], [5, 11], [7, 9], [8, 8], [1, 22], [20, 3]] as const) {
    const bitmap = createBitmap(29, 3)
    fillBlack(bitmap, x, 1, w, 1)
    const painted = []
    for (let px = 0; px < 29; px++) if (black(bitmap, px, 1)) painted.push(px)
    t.same(painted, Array.from({ length: Math.min(w, 29 - x) }, (_, i) => x + i), `x=${x} w=${w}`)
    t.notOk(black(bitmap, x, 0) || black(bitmap, x, 2), 'other rows untouched')
  }
})

t.test('a 1-bit PNG decodes to the same pixels, with its resolution', async (t) => {
  const bitmap = createBitmap(37, 5)
  fillBlack(bitmap, 2, 1, 30, 2)
  drawMask(bitmap, { width: 2, height: 1, ink: Uint8Array.of(1, 0) }, 36, 4)
  const png = encodePng(bitmap, 300)
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true })
  t.match(info, { width: 37, height: 5 })
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 37; x++) {
      if ((data[y * 37 + x] === 0) !== black(bitmap, x, y)) t.fail(`pixel ${x},${y} differs`)
    }
  }
  t.equal(Math.round((await sharp(png).metadata()).density ?? 0), 300)
})

t.test('sheets: A4 at the label dpi, byte-aligned slots that do not overlap', async (t) => {
  const layout = sheetLayout({ widthPx: 591, heightPx: 354, dpi: 300 })
  t.match(layout, { widthPx: 2480, heightPx: 3508, columns: 4, rows: 9, perSheet: 36 })
  for (const slot of layout.slots) t.equal(slot.x % 8, 0)
  t.ok(layout.slots.every((slot) => slot.x + 591 <= 2480 && slot.y + 354 <= 3508), 'every slot is on the page')
  const sheet = createBitmap(layout.widthPx, layout.heightPx)
  const label = createBitmap(591, 354)
  fillBlack(label, 0, 0, 591, 354)
  pasteAligned(sheet, label, layout.slots[1]!.x, layout.slots[1]!.y)
  t.ok(black(sheet, layout.slots[1]!.x + 590, layout.slots[1]!.y))
  t.notOk(black(sheet, layout.slots[1]!.x + 591, layout.slots[1]!.y), 'the padding bit stays white')
})
