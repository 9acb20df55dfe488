// Pre-registration of a batch with the cloud (POST /api/factory/batches): the manifest in chunks,
// each retried with exponential backoff on network errors, 429 and 5xx. The server is idempotent
// per device id, so a chunk sent twice (its answer lost on the way back) registers nothing twice:
// its devices come back as unchanged.
import { backOff } from 'exponential-backoff'
import { FactoryError } from '../errors.js'
import type { Progress } from '../progress.js'
import type { Manifest, ManifestDevice } from './manifest.js'

export const DEFAULT_CHUNK_SIZE = 1000
export const DEFAULT_ATTEMPTS = 6
const REQUEST_TIMEOUT_MS = 120_000

export interface RegisterOptions {
  manifest: Manifest
  serverUrl: string
  token: string
  chunkSize: number
  attempts: number
  progress: Progress
  /** First retry delay; it doubles per attempt (with full jitter), up to 30 s. */
  retryDelayMs?: number
  onRetry?: (message: string) => void
}

export interface Conflict { deviceId: string, reason: string }

export interface RegisterResult {
  batchId: string
  serverUrl: string
  devices: number
  created: string[]
  unchanged: string[]
  conflicting: Conflict[]
}

/** An answer that retrying cannot change (bad token, bad manifest): stops at once. */
class Final extends FactoryError {}

/** A failure worth another attempt; `retryAfterMs` is the server's Retry-After, when it sent one. */
class Transient extends Error {
  constructor (message: string, readonly retryAfterMs?: number) {
    super(message)
  }
}

interface ErrorBody { code?: string, message?: string }

async function errorOf (response: Response): Promise<string> {
  const body = await response.json().catch(() => ({})) as ErrorBody
  return `${response.status}${body.code === undefined ? '' : ` ${body.code}`}${body.message === undefined ? '' : `: ${body.message}`}`
}

async function sendChunk (url: string, token: string, body: object): Promise<Omit<RegisterResult, 'serverUrl' | 'devices'>> {
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    })
  } catch (err) {
    const cause = (err as { cause?: { code?: string, message?: string } }).cause
    throw new Transient(`cannot reach ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`)
  }
  if (response.ok) return await response.json() as Omit<RegisterResult, 'serverUrl' | 'devices'>
  const detail = await errorOf(response)
  if (response.status === 429 || response.status >= 500) {
    const retryAfter = Number(response.headers.get('retry-after'))
    throw new Transient(`server answered ${detail}`, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined)
  }
  if (response.status === 401) throw new Final(`the server refused the token (${detail}); create one with scope factory:register (POST /api/tokens as a user with the factory role)`)
  if (response.status === 403) throw new Final(`the token may not register batches (${detail})`)
  if (response.status === 404) throw new Final(`${url} does not exist (${detail}); is --server the cloud's URL, with the devices plugin enabled?`)
  if (response.status === 413) throw new Final(`the server refused a chunk as too large (${detail}); use a smaller --chunk-size`)
  throw new Final(`the server refused the batch (${detail})`)
}

export async function registerBatch (options: RegisterOptions): Promise<RegisterResult> {
  const { manifest, progress } = options
  const url = new URL('/api/factory/batches', `${options.serverUrl}/`).toString()
  const result: RegisterResult = { batchId: manifest.batchId, serverUrl: options.serverUrl, devices: manifest.devices.length, created: [], unchanged: [], conflicting: [] }
  const chunks: ManifestDevice[][] = []
  for (let i = 0; i < manifest.devices.length; i += options.chunkSize) chunks.push(manifest.devices.slice(i, i + options.chunkSize))

  progress.stage('register', manifest.devices.length)
  try {
    for (const [index, devices] of chunks.entries()) {
      const answer = await backOff(() => sendChunk(url, options.token, { batchId: manifest.batchId, model: manifest.model, devices }), {
        numOfAttempts: options.attempts,
        startingDelay: options.retryDelayMs ?? 500,
        maxDelay: 30_000,
        jitter: 'full',
        retry: async (err: unknown, attempt) => {
          if (!(err instanceof Transient)) return false
          options.onRetry?.(`chunk ${index + 1}/${chunks.length}: ${err.message}; attempt ${attempt} of ${options.attempts} failed`)
          if (err.retryAfterMs !== undefined) await new Promise((resolve) => setTimeout(resolve, err.retryAfterMs))
          return true
        }
      }).catch((err: unknown) => {
        if (err instanceof Transient) throw new FactoryError(`${err.message} (gave up after ${options.attempts} attempts; run the same command again: registering is idempotent)`)
        throw err
      })
      result.created.push(...answer.created)
      result.unchanged.push(...answer.unchanged)
      result.conflicting.push(...answer.conflicting)
      progress.advance('register', devices.length)
    }
  } finally {
    progress.stop()
  }
  return result
}
