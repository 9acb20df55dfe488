// Runs async work one at a time per key (per box), so deliveries to one box never overlap.
export interface KeyedQueue {
  run: <T>(key: string, work: () => Promise<T>) => Promise<T>
  /** Resolves when everything queued so far has finished. */
  idle: () => Promise<void>
}

export function createKeyedQueue (): KeyedQueue {
  const tails = new Map<string, Promise<unknown>>()
  return {
    run (key, work) {
      const result = (tails.get(key) ?? Promise.resolve()).then(work, work)
      const tail = result.then(() => undefined, () => undefined)
      tails.set(key, tail)
      void tail.then(() => { if (tails.get(key) === tail) tails.delete(key) })
      return result
    },
    async idle () {
      while (tails.size > 0) await Promise.all(tails.values())
    }
  }
}
