// Each tunnel's bytes go through two meters (box -> cloud, cloud -> box) that count them for metrics
// and hold them back when the box is over its bandwidth budget. Holding a chunk delays the pipe's
// callback, so the HTTP/2 flow-control windows fill and every stream of the box slows down evenly.
import { Duplex, Transform } from 'node:stream'

/** A token bucket shared by both directions of one box: one second of burst, refilled continuously. */
export interface Budget {
  /** Takes `bytes` from the bucket; returns how many milliseconds to wait before passing them on. */
  delayFor: (bytes: number) => number
}

export function createBudget (bytesPerSecond: number, now: () => number = Date.now): Budget {
  if (bytesPerSecond <= 0) return { delayFor: () => 0 }
  let available = bytesPerSecond
  let last = now()
  return {
    delayFor (bytes) {
      const at = now()
      available = Math.min(bytesPerSecond, available + (at - last) * bytesPerSecond / 1000)
      last = at
      available -= bytes
      return available >= 0 ? 0 : Math.ceil(-available * 1000 / bytesPerSecond)
    }
  }
}

function meter (budget: Budget, count: (bytes: number) => void): Transform {
  return new Transform({
    transform (chunk: Buffer, _encoding, done) {
      count(chunk.length)
      const wait = budget.delayFor(chunk.length)
      if (wait === 0) done(null, chunk)
      else setTimeout(done, wait, null, chunk)
    }
  })
}

/**
 * The byte stream the HTTP/2 session runs on: the WebSocket's stream seen through both meters.
 * `received` counts bytes from the box, `sent` bytes to it.
 */
export function meteredStream (raw: Duplex, budget: Budget, counts: { received: (bytes: number) => void, sent: (bytes: number) => void }): Duplex {
  const fromBox = meter(budget, counts.received)
  const toBox = meter(budget, counts.sent)
  raw.pipe(fromBox)
  toBox.pipe(raw)
  const stream = Duplex.from({ readable: fromBox, writable: toBox })
  raw.once('close', () => { stream.destroy() })
  stream.once('close', () => { raw.destroy() })
  return stream
}
