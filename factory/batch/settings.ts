// The settings of a batch, from explicit options plus defaults; a resumed batch keeps its own.
import { UsageError } from '../errors.js'
import { DEFAULT_DPI, DEFAULT_LABEL_SIZE, DEFAULT_SERVER_URL, DEFAULT_SHEET, defaultMqttUrl, newBatchId, parseLabelSize } from './options.js'
import { BATCH_FORMAT, type BatchState } from './state.js'
import type { LabelSize } from '../labels/geometry.js'
import type { SheetFormat } from '../labels/sheet.js'

/** Only options the user actually gave; anything absent takes a default (new) or the batch's value (resume). */
export interface GivenSettings {
  count?: number
  model?: string
  serverUrl?: string
  mqttUrl?: string
  consoleUrl?: string
  labelSize?: LabelSize
  dpi?: number
  sheet?: SheetFormat
}

export function newBatchState (given: GivenSettings, now: Date): BatchState {
  if (given.count === undefined) throw new UsageError('--count is required for a new batch')
  if (given.model === undefined) throw new UsageError('--model is required for a new batch')
  const serverUrl = given.serverUrl ?? DEFAULT_SERVER_URL
  const labelSize = given.labelSize ?? parseLabelSize(DEFAULT_LABEL_SIZE)
  return {
    format: BATCH_FORMAT,
    batchId: newBatchId(now),
    model: given.model,
    count: given.count,
    serverUrl,
    mqttUrl: given.mqttUrl ?? defaultMqttUrl(serverUrl),
    consoleUrl: given.consoleUrl ?? serverUrl,
    label: { ...labelSize, dpi: given.dpi ?? DEFAULT_DPI },
    sheet: given.sheet ?? DEFAULT_SHEET,
    createdAt: now.toISOString()
  }
}

/** A resumed run must make the same batch: any option given must equal what the batch was started with. */
export function assertResumable (state: BatchState, given: GivenSettings): void {
  const pinned: Array<[string, unknown, unknown]> = [
    ['--count', given.count, state.count],
    ['--model', given.model, state.model],
    ['--server', given.serverUrl, state.serverUrl],
    ['--mqtt', given.mqttUrl, state.mqttUrl],
    ['--console', given.consoleUrl, state.consoleUrl],
    ['--label-size', given.labelSize && `${given.labelSize.widthMm}x${given.labelSize.heightMm}mm`, `${state.label.widthMm}x${state.label.heightMm}mm`],
    ['--dpi', given.dpi, state.label.dpi],
    ['--sheet', given.sheet, state.sheet]
  ]
  for (const [option, wanted, actual] of pinned) {
    if (wanted !== undefined && wanted !== actual) {
      throw new UsageError(`${option} ${String(wanted)} does not match batch ${state.batchId}, which was started with ${String(actual)}`)
    }
  }
}
