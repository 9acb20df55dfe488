// A small pool of worker threads (one per core by default) that run tasks in submission order.
// A worker script posts `{ ready: true }` once set up, then answers each PoolRequest with a PoolResponse.
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'

export interface PoolRequest<T> { id: number, task: T }
export type PoolResponse<R> = { id: number, result: R } | { id: number, error: string }

export interface WorkerPool<T, R> {
  run: (task: T) => Promise<R>
  /** Tasks submitted and not yet finished. */
  pending: () => number
  close: () => Promise<void>
}

interface Slot { worker: Worker, busy: boolean }
interface Job<T, R> { id: number, task: T, resolve: (result: R) => void, reject: (err: Error) => void }

export function defaultPoolSize (): number {
  return Math.max(1, availableParallelism())
}

/**
 * Running from TypeScript sources (dev, tests) the worker must register tsx itself: on Node 20,
 * loader hooks of the parent thread do not reach workers. Built JavaScript starts directly.
 */
function startWorker (script: URL, workerData: unknown): Worker {
  if (!script.pathname.endsWith('.ts')) return new Worker(script, { workerData })
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'))
  const bootstrap = `import(${tsx}).then(({ register }) => { register(); return import(${JSON.stringify(script.href)}) })`
  return new Worker(bootstrap, { eval: true, workerData })
}

export function createWorkerPool<T, R> (script: URL, workerData: unknown, size = defaultPoolSize()): WorkerPool<T, R> {
  const queue: Array<Job<T, R>> = []
  const running = new Map<number, Job<T, R>>()
  let nextId = 0
  let failure: Error | undefined

  const fail = (err: Error): void => {
    failure ??= err
    for (const job of [...running.values(), ...queue.splice(0)]) job.reject(err)
    running.clear()
  }

  const slots: Slot[] = Array.from({ length: size }, () => {
    const worker = startWorker(script, workerData)
    // Busy until the worker says it is ready (its renderer is built).
    const slot: Slot = { worker, busy: true }
    worker.on('message', (message: PoolResponse<R> | { ready: true }) => {
      if (!('id' in message)) {
        slot.busy = false
        dispatch()
        return
      }
      const job = running.get(message.id)
      running.delete(message.id)
      slot.busy = false
      if (job !== undefined) {
        if ('error' in message) job.reject(new Error(message.error))
        else job.resolve(message.result)
      }
      dispatch()
    })
    worker.on('error', fail)
    worker.on('exit', (code) => { if (code !== 0) fail(new Error(`worker exited with code ${code}`)) })
    return slot
  })

  function dispatch (): void {
    for (const slot of slots) {
      if (slot.busy || queue.length === 0) continue
      const job = queue.shift()!
      running.set(job.id, job)
      slot.busy = true
      slot.worker.postMessage({ id: job.id, task: job.task } satisfies PoolRequest<T>)
    }
  }

  return {
    run: (task) => new Promise<R>((resolve, reject) => {
      if (failure !== undefined) { reject(failure); return }
      queue.push({ id: nextId++, task, resolve, reject })
      dispatch()
    }),
    pending: () => queue.length + running.size,
    close: async () => {
      await Promise.all(slots.map(async (slot) => {
        slot.worker.removeAllListeners('exit')
        await slot.worker.terminate()
      }))
    }
  }
}
