// Print sheets: labels pasted into an A4 grid, saved as PNG or a one-page PDF.
import { createBitmap, pasteAligned, type Bitmap } from './bitmap.js'
import { A4_MM, type SheetLayout } from './geometry.js'
import { encodePdfPage } from './pdf.js'
import { encodePng } from './png.js'

export type SheetFormat = 'a4-png' | 'a4-pdf' | 'none'
export const SHEET_FORMATS: readonly SheetFormat[] = ['a4-png', 'a4-pdf', 'none']

export function sheetFileName (sheetNumber: number, format: Exclude<SheetFormat, 'none'>): string {
  return `sheet-${String(sheetNumber).padStart(3, '0')}.${format === 'a4-pdf' ? 'pdf' : 'png'}`
}

export function composeSheet (layout: SheetLayout, labels: readonly Bitmap[]): Bitmap {
  if (labels.length > layout.perSheet) throw new RangeError(`${labels.length} labels do not fit a sheet of ${layout.perSheet}`)
  const sheet = createBitmap(layout.widthPx, layout.heightPx)
  labels.forEach((label, i) => pasteAligned(sheet, label, layout.slots[i]!.x, layout.slots[i]!.y))
  return sheet
}

export async function encodeSheet (sheet: Bitmap, format: Exclude<SheetFormat, 'none'>, dpi: number, title: string): Promise<Uint8Array> {
  return format === 'a4-pdf' ? await encodePdfPage(sheet, A4_MM.width, A4_MM.height, title) : encodePng(sheet, dpi)
}
