// The one way the console talks to the server: JSON over fetch with the session cookie, the CSRF
// header on state changes (plugins/oauth/README.md "Credentials"), and the uniform error body
// `{ statusCode, code, error, message }` turned into an ApiError.

export class ApiError extends Error {
  constructor (readonly status: number, readonly code: string, message: string) {
    super(message)
    this.name = 'ApiError'
  }

  /** The endpoint does not exist on this server (a plugin that is not enabled or not built yet). */
  get missingEndpoint (): boolean {
    return this.status === 404 && this.code === 'NOT_FOUND' && this.message.startsWith('Route ')
  }
}

/** A failure that never reached the server (offline, DNS, aborted). */
export class NetworkError extends Error {
  constructor (cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause))
    this.name = 'NetworkError'
  }
}

export interface Http {
  get: <T>(path: string) => Promise<T>
  post: <T = void>(path: string, body?: unknown) => Promise<T>
  patch: <T = void>(path: string, body?: unknown) => Promise<T>
  delete: <T = void>(path: string, body?: unknown) => Promise<T>
  /** A GET whose body is read as it arrives (logs); rejects with ApiError on a non-2xx answer. */
  stream: (path: string, signal: AbortSignal) => Promise<ReadableStream<Uint8Array>>
  /** Remembers the CSRF token a sign-in answered with; null after sign-out. */
  setCsrfToken: (token: string | null) => void
}

const SAFE = new Set(['GET', 'HEAD'])

async function errorOf (response: Response): Promise<ApiError> {
  const body = await response.json().catch(() => null) as { code?: unknown, message?: unknown } | null
  const code = typeof body?.code === 'string' ? body.code : `HTTP_${response.status}`
  const message = typeof body?.message === 'string' ? body.message : response.statusText
  return new ApiError(response.status, code, message)
}

export function createHttp (fetchImpl: typeof fetch = (...args) => fetch(...args)): Http {
  // undefined: not asked yet; null: no session, so no token is needed.
  let csrfToken: string | null | undefined

  async function send (method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (!SAFE.has(method)) {
      if (csrfToken === undefined) csrfToken = await fetchCsrfToken()
      if (csrfToken !== null) headers['x-csrf-token'] = csrfToken
    }
    try {
      return await fetchImpl(path, { method, headers, credentials: 'same-origin', signal, body: body === undefined ? undefined : JSON.stringify(body) })
    } catch (err) {
      throw new NetworkError(err)
    }
  }

  async function fetchCsrfToken (): Promise<string | null> {
    const response = await fetchImpl('/api/auth/csrf', { credentials: 'same-origin', headers: { accept: 'application/json' } }).catch(() => null)
    if (response?.ok !== true) return null
    const { csrfToken: token } = await response.json() as { csrfToken: string }
    return token === '' ? null : token
  }

  async function json<T> (method: string, path: string, body?: unknown): Promise<T> {
    let response = await send(method, path, body)
    if (response.status === 403 && !SAFE.has(method)) {
      const error = await errorOf(response)
      if (error.code !== 'CSRF_INVALID') throw error
      // The session changed under us (signed in elsewhere, expired): ask once for the current token.
      csrfToken = await fetchCsrfToken()
      response = await send(method, path, body)
    }
    if (!response.ok) throw await errorOf(response)
    if (response.status === 204) return undefined as T
    const text = await response.text()
    return (text === '' ? undefined : JSON.parse(text)) as T
  }

  return {
    get: (path) => json('GET', path),
    post: (path, body) => json('POST', path, body),
    patch: (path, body) => json('PATCH', path, body),
    delete: (path, body) => json('DELETE', path, body),
    async stream (path, signal) {
      const response = await send('GET', path, undefined, signal)
      if (!response.ok) throw await errorOf(response)
      if (response.body === null) throw new ApiError(response.status, 'EMPTY_BODY', 'The server answered without a body')
      return response.body
    },
    setCsrfToken (token) { csrfToken = token }
  }
}
