// Worker-thread entry for verify: QR decoding is synchronous CPU work, so it runs on every core.
import { parentPort } from 'node:worker_threads'
import sharp from 'sharp'
import type { PoolRequest, PoolResponse } from '../workers/pool.js'
import { decodeLabelQr } from './decode-label.js'

sharp.concurrency(1)
const port = parentPort
if (port === null) throw new Error('verify/worker.ts must run in a worker thread')

/** null when no QR code is found in the label. */
port.on('message', (request: PoolRequest<string>) => {
  decodeLabelQr(request.task).then(
    (text) => port.postMessage({ id: request.id, result: text ?? null } satisfies PoolResponse<string | null>),
    (err: unknown) => port.postMessage({ id: request.id, error: err instanceof Error ? err.message : String(err) } satisfies PoolResponse<string | null>)
  )
})
port.postMessage({ ready: true })
