// The unit of work handed to a label worker: the devices of one sheet (or, without sheets, one
// chunk). The worker writes each label, then the sheet, each file atomically, so a sheet file on
// disk means all its labels are on disk too.
import type { SheetFormat } from './sheet.js'
import type { LabelContent, LabelDesign } from './label.js'

export interface RenderSetup {
  design: LabelDesign
  sheet: SheetFormat
  labelsDir: string
  sheetsDir: string
  batchId: string
}

export interface RenderTask {
  sheetNumber: number
  labels: LabelContent[]
}

export interface RenderResult {
  sheetNumber: number
  labels: number
  /** Milliseconds this worker spent on each kind of work, for the benchmark's table. */
  busyMs: { labelRender: number, labelWrite: number, sheet: number }
}
