// Turning command-line text into batch settings, with messages that say what was wrong.
import { randomCrockford } from '../../protocol/crockford.js'
import { UsageError } from '../errors.js'
import type { LabelSize } from '../labels/geometry.js'
import { SHEET_FORMATS, type SheetFormat } from '../labels/sheet.js'

export const MAX_BATCH = 1_000_000
export const DEFAULT_SERVER_URL = 'http://localhost:3000'
export const DEFAULT_LABEL_SIZE = '50x30mm'
export const DEFAULT_DPI = 300
export const DEFAULT_SHEET: SheetFormat = 'a4-pdf'

export function parseCount (text: string): number {
  const count = Number(text)
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(count) || count < 1 || count > MAX_BATCH) {
    throw new UsageError(`--count must be a whole number from 1 to ${MAX_BATCH}, got "${text}"`)
  }
  return count
}

export function parseModel (text: string): string {
  const model = text.trim()
  if (model.length === 0 || model.length > 64) throw new UsageError('--model must be 1 to 64 characters')
  return model
}

export function parseLabelSize (text: string): LabelSize {
  const match = /^\s*(\d+(?:\.\d+)?)\s*x\s*(\d+(?:\.\d+)?)\s*(mm)?\s*$/i.exec(text)
  const widthMm = Number(match?.[1])
  const heightMm = Number(match?.[2])
  if (match === null || widthMm < 20 || heightMm < 10 || widthMm > 200 || heightMm > 280) {
    throw new UsageError(`--label-size must look like 50x30mm (width x height, 20x10 to 200x280 mm), got "${text}"`)
  }
  if (widthMm < heightMm * 1.3) throw new UsageError(`--label-size must be landscape (width at least 1.3 x height), got "${text}"`)
  return { widthMm, heightMm }
}

export function parseDpi (text: string): number {
  const dpi = Number(text)
  if (!Number.isInteger(dpi) || dpi < 150 || dpi > 1200) throw new UsageError(`--dpi must be a whole number from 150 to 1200, got "${text}"`)
  return dpi
}

export function parseSheet (text: string): SheetFormat {
  if (!(SHEET_FORMATS as readonly string[]).includes(text)) throw new UsageError(`--sheet must be one of ${SHEET_FORMATS.join(', ')}, got "${text}"`)
  return text as SheetFormat
}

export function parseUrl (option: string, text: string, protocols: readonly string[]): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`${option} must be a URL, got "${text}"`)
  }
  if (!protocols.includes(url.protocol.slice(0, -1))) throw new UsageError(`${option} must use ${protocols.join(' or ')}, got "${text}"`)
  return url.toString().replace(/\/$/, '')
}

/** The broker the server embeds (ARCHITECTURE §3 "MQTT"): TLS on 8883 next to HTTPS, else 1883. */
export function defaultMqttUrl (serverUrl: string): string {
  const { protocol, hostname } = new URL(serverUrl)
  return protocol === 'https:' ? `mqtts://${hostname}:8883` : `mqtt://${hostname}:1883`
}

export function newBatchId (now: Date): string {
  return `bat_${now.toISOString().slice(0, 10).replaceAll('-', '')}_${randomCrockford(6)}`
}
