// Physical sizes to pixels, and where labels sit on an A4 sheet.
export const A4_MM = { width: 210, height: 297 } as const
const SHEET_MARGIN_MM = 4

export interface LabelSize {
  widthMm: number
  heightMm: number
}

export interface LabelPixels {
  widthPx: number
  heightPx: number
  dpi: number
}

export const mmToPx = (mm: number, dpi: number): number => Math.round((mm / 25.4) * dpi)

export function labelPixels (size: LabelSize, dpi: number): LabelPixels {
  return { widthPx: mmToPx(size.widthMm, dpi), heightPx: mmToPx(size.heightMm, dpi), dpi }
}

export interface SheetLayout {
  widthPx: number
  heightPx: number
  columns: number
  rows: number
  perSheet: number
  /** Top-left corner of each slot, row by row; x is a multiple of 8 so labels paste as whole bytes. */
  slots: Array<{ x: number, y: number }>
}

/** A centred grid of labels on A4; columns step in whole bytes, a fraction of a millimetre apart. */
export function sheetLayout (label: LabelPixels): SheetLayout {
  const widthPx = mmToPx(A4_MM.width, label.dpi)
  const heightPx = mmToPx(A4_MM.height, label.dpi)
  const margin = mmToPx(SHEET_MARGIN_MM, label.dpi)
  const pitchX = Math.ceil(label.widthPx / 8) * 8
  const columns = Math.floor((widthPx - 2 * margin) / pitchX)
  const rows = Math.floor((heightPx - 2 * margin) / label.heightPx)
  const x0 = Math.floor((widthPx - columns * pitchX) / 16) * 8
  const y0 = Math.floor((heightPx - rows * label.heightPx) / 2)
  const slots = []
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) slots.push({ x: x0 + column * pitchX, y: y0 + row * label.heightPx })
  }
  return { widthPx, heightPx, columns, rows, perSheet: columns * rows, slots }
}
