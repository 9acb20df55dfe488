// Polling for a condition in tests that talk to real processes, containers and brokers.

/**
 * Calls `check` until it answers something other than false, undefined or null, and returns that.
 * A check that throws counts as not yet; the last error is named if time runs out. The timeout only
 * bounds a failing test: a passing one returns as soon as the condition holds.
 */
export async function until<T> (what: string, check: () => T | Promise<T>, timeoutMs = 60_000, intervalMs = 50): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== false && value !== undefined && value !== null) return value as Exclude<T, false | undefined | null>
    } catch (err) { lastError = err }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? '' : ` (${String(lastError)})`}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
