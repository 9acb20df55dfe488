// Gathers the lookups asked for in one turn of the event loop into one query: a fleet reconnecting
// after an outage asks for thousands of rows at once, and one `WHERE id IN (...)` per turn costs
// the database and the ORM far less than a query per box.

/** Resolves each key to its value (undefined when the query found none). */
export type Gathered<V> = (key: string) => Promise<V | undefined>

// Keys per query: well under SQLite's bound-parameter limit.
const KEYS_PER_QUERY = 500

export function gather<V> (query: (keys: string[]) => Promise<Map<string, V>>): Gathered<V> {
  type Waiter = { resolve: (value: V | undefined) => void, reject: (err: unknown) => void }
  let waiting = new Map<string, Waiter[]>()

  async function run (batch: Map<string, Waiter[]>): Promise<void> {
    const keys = [...batch.keys()]
    try {
      const found = new Map<string, V>()
      for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
        for (const [key, value] of await query(keys.slice(i, i + KEYS_PER_QUERY))) found.set(key, value)
      }
      for (const [key, waiters] of batch) for (const waiter of waiters) waiter.resolve(found.get(key))
    } catch (err) {
      for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(err)
    }
  }

  return (key) => new Promise((resolve, reject) => {
    if (waiting.size === 0) {
      setImmediate(() => {
        const batch = waiting
        waiting = new Map()
        void run(batch)
      })
    }
    const waiters = waiting.get(key)
    if (waiters === undefined) waiting.set(key, [{ resolve, reject }])
    else waiters.push({ resolve, reject })
  })
}
