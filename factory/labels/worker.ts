// Worker-thread entry: builds one label renderer (template + glyphs) and serves render tasks.
import { join } from 'node:path'
import { parentPort, workerData } from 'node:worker_threads'
import sharp from 'sharp'
import { writeFileAtomic } from '../fsutil/atomic.js'
import { sheetLayout } from './geometry.js'
import { createLabelRenderer } from './label.js'
import { encodePng } from './png.js'
import type { RenderResult, RenderSetup, RenderTask } from './render-task.js'
import { composeSheet, encodeSheet, sheetFileName } from './sheet.js'
import type { PoolRequest, PoolResponse } from '../workers/pool.js'

// The pool already runs one worker per core; libvips threads on top would only contend.
sharp.concurrency(1)

const setup = workerData as RenderSetup
const port = parentPort
if (port === null) throw new Error('worker.ts must run in a worker thread')
const renderLabel = await createLabelRenderer(setup.design)
const layout = sheetLayout(setup.design)

async function render (task: RenderTask): Promise<RenderResult> {
  const t0 = performance.now()
  const bitmaps = task.labels.map(renderLabel)
  const t1 = performance.now()
  await Promise.all(bitmaps.map((bitmap, i) =>
    writeFileAtomic(join(setup.labelsDir, `${task.labels[i]!.deviceId}.png`), encodePng(bitmap, setup.design.dpi))))
  const t2 = performance.now()
  if (setup.sheet !== 'none') {
    const name = sheetFileName(task.sheetNumber, setup.sheet)
    const bytes = await encodeSheet(composeSheet(layout, bitmaps), setup.sheet, setup.design.dpi, `${setup.batchId} ${name}`)
    await writeFileAtomic(join(setup.sheetsDir, name), bytes)
  }
  const t3 = performance.now()
  return { sheetNumber: task.sheetNumber, labels: bitmaps.length, busyMs: { labelRender: t1 - t0, labelWrite: t2 - t1, sheet: t3 - t2 } }
}

port.on('message', (request: PoolRequest<RenderTask>) => {
  render(request.task).then(
    (result) => port.postMessage({ id: request.id, result } satisfies PoolResponse<RenderResult>),
    (err: unknown) => port.postMessage({ id: request.id, error: err instanceof Error ? err.message : String(err) } satisfies PoolResponse<RenderResult>)
  )
})
port.postMessage({ ready: true })
