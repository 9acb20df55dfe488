// Append-only JSON-lines journals. Appending one line per record makes progress O(1) per device,
// and a run killed mid-append leaves at worst one torn last line, which reading discards.
import { appendFile, readFile, truncate } from 'node:fs/promises'
import { FactoryError } from '../errors.js'

export interface JournalRead<T> {
  records: T[]
  /** Bytes of whole, valid lines; a torn tail beyond it is cut off by repairJournal. */
  validBytes: number
  torn: boolean
}

export async function readJournal<T> (path: string, isRecord: (value: unknown) => value is T): Promise<JournalRead<T>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], validBytes: 0, torn: false }
    throw err
  }
  const records: T[] = []
  let validBytes = 0
  const lines = text.split('\n')
  for (const [index, line] of lines.entries()) {
    const last = index === lines.length - 1
    if (last && line === '') break
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      value = undefined
    }
    if (!isRecord(value)) {
      if (last) return { records, validBytes, torn: true }
      throw new FactoryError(`${path} line ${index + 1} is damaged; this batch cannot be resumed safely`)
    }
    if (last) return { records, validBytes, torn: true } // valid JSON but no newline: still torn
    records.push(value)
    validBytes += Buffer.byteLength(line) + 1
  }
  return { records, validBytes, torn: false }
}

export async function repairJournal (path: string, read: JournalRead<unknown>): Promise<void> {
  if (read.torn) await truncate(path, read.validBytes)
}

export async function appendRecords (path: string, records: readonly unknown[], mode = 0o644): Promise<void> {
  if (records.length === 0) return
  await appendFile(path, records.map((record) => `${JSON.stringify(record)}\n`).join(''), { mode })
}
