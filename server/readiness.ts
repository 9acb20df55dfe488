// Readiness checks: the core registers the database; each plugin adds what it depends on.
export type ReadinessCheck = () => Promise<void>

export interface ReadinessResult {
  ready: boolean
  checks: Record<string, 'ok' | string>
}

export interface Readiness {
  add: (name: string, check: ReadinessCheck) => void
  run: (timeoutMs: number) => Promise<ReadinessResult>
}

export function createReadiness (): Readiness {
  const checks = new Map<string, ReadinessCheck>()
  return {
    add (name, check) {
      if (checks.has(name)) throw new Error(`readiness check "${name}" is already registered`)
      checks.set(name, check)
    },
    async run (timeoutMs) {
      const entries = await Promise.all([...checks].map(async ([name, check]) => [name, await settle(check, timeoutMs)] as const))
      return { ready: entries.every(([, outcome]) => outcome === 'ok'), checks: Object.fromEntries(entries) }
    }
  }
}

async function settle (check: ReadinessCheck, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    await Promise.race([check(), timeout])
    return 'ok'
  } catch (err) {
    return (err as Error).message
  } finally {
    clearTimeout(timer)
  }
}
