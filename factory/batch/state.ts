// batch.json: written first, it marks DIR as a batch and pins the settings a resumed run must keep.
import { readFile } from 'node:fs/promises'
import Type from 'typebox'
import { check } from '../../protocol/validate.js'
import { FactoryError } from '../errors.js'
import { writeFileAtomic } from '../fsutil/atomic.js'
import type { BatchPaths } from './paths.js'

export const BATCH_FORMAT = 'openclaw-factory-batch/1'

export const BatchState = Type.Object({
  format: Type.Literal(BATCH_FORMAT),
  batchId: Type.String({ minLength: 1 }),
  model: Type.String({ minLength: 1, maxLength: 64 }),
  count: Type.Integer({ minimum: 1 }),
  serverUrl: Type.String(),
  mqttUrl: Type.String(),
  consoleUrl: Type.String(),
  label: Type.Object({ widthMm: Type.Number({ exclusiveMinimum: 0 }), heightMm: Type.Number({ exclusiveMinimum: 0 }), dpi: Type.Integer({ minimum: 72 }) }),
  sheet: Type.Union([Type.Literal('a4-png'), Type.Literal('a4-pdf'), Type.Literal('none')]),
  createdAt: Type.String(),
  completedAt: Type.Optional(Type.String())
})
export type BatchState = Type.Static<typeof BatchState>

/** The batch in DIR, or undefined when DIR has no batch.json. */
export async function readBatchState (paths: BatchPaths): Promise<BatchState | undefined> {
  let text: string
  try {
    text = await readFile(paths.state, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new FactoryError(`${paths.state} is not JSON; this directory was not written by openclaw-factory`)
  }
  const checked = check(BatchState, value)
  if (!checked.ok) throw new FactoryError(`${paths.state}: ${checked.issue.path || 'file'} ${checked.issue.message}`)
  return checked.value
}

export async function writeBatchState (paths: BatchPaths, state: BatchState): Promise<void> {
  await writeFileAtomic(paths.state, `${JSON.stringify(state, null, 2)}\n`)
}
