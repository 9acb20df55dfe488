// Portainer's HTTP API as this plugin uses it (Portainer CE/BE 2.x, documented at
// https://app.swaggerhub.com/apis/portainer/portainer-ce): `GET /api/endpoints` lists environments,
// and `/api/endpoints/{id}/docker/...` forwards the Docker Engine API to one of them. Every request
// carries `X-API-Key` (an access token). Portainer's own failures answer JSON `{message, details}`;
// they are reworded here so a worker's error says it was Portainer, where, and why.
import Docker from 'dockerode'
import Modem from 'docker-modem'

/** Environment types whose Docker API Portainer proxies without an Edge tunnel. */
export const DOCKER_ENVIRONMENT_TYPES = new Set([1, 2]) // 1 Docker, 2 Agent on Docker
/** `Status` of an environment: 1 up, 2 down. */
export const ENVIRONMENT_UP = 1

export interface PortainerEnvironment {
  Id: number
  Name: string
  Type: number
  Status: number
  URL?: string
}

export interface PortainerOptions {
  /** Portainer's base URL, e.g. https://portainer.example.com:9443 */
  url: string
  apiKey: string
  /** Milliseconds Portainer gets to answer a short call. */
  timeoutMs: number
}

export class PortainerError extends Error {
  constructor (message: string, readonly statusCode?: number, options?: ErrorOptions) {
    super(message, options)
  }
}

/** What Portainer's status means, about `what` (a path or an environment). */
function describeStatus (status: number, what: string): string {
  if (status === 401) return 'refused the API key'
  if (status === 403) return `does not let this API key use ${what}`
  if (status === 404) return `does not know ${what}`
  return `failed on ${what}`
}

/** Portainer's own error body, when the answer is one (a proxied Docker error has no `details`). */
function portainerBody (body: unknown): { message: string, details: string } | undefined {
  const candidate = body as { message?: unknown, details?: unknown } | null
  if (candidate === null || typeof candidate !== 'object' || typeof candidate.details !== 'string') return undefined
  return { message: String(candidate.message ?? ''), details: candidate.details }
}

export function createPortainerClient (options: PortainerOptions) {
  const base = options.url.replace(/\/+$/, '')

  async function request<T> (path: string): Promise<T> {
    let res: Response
    try {
      res = await fetch(`${base}${path}`, { headers: { 'x-api-key': options.apiKey, accept: 'application/json' }, signal: AbortSignal.timeout(options.timeoutMs) })
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `did not answer within ${options.timeoutMs / 1000} s` : `cannot be reached: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`
      throw new PortainerError(`Portainer at ${base} ${reason}`, undefined, { cause: err })
    }
    const text = await res.text()
    let body: unknown
    try { body = JSON.parse(text) } catch { body = text }
    if (!res.ok) {
      const own = portainerBody(body)
      throw new PortainerError(`Portainer at ${base} ${describeStatus(res.status, path)} (HTTP ${res.status}${own === undefined ? '' : `: ${own.message}: ${own.details}`})`, res.status)
    }
    return body as T
  }

  /** A Docker client whose every call goes through Portainer to environment `id`. */
  function docker (environmentId: number): Docker {
    const prefix = `/api/endpoints/${environmentId}/docker`
    const url = new URL(base)
    const modem = new Modem({
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      host: url.hostname,
      port: url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port),
      headers: { 'X-API-Key': options.apiKey }
    })
    const dial = modem.dial.bind(modem)
    // docker-modem has no path prefix of its own: every Docker path is placed under Portainer's proxy.
    modem.dial = (dialOptions, callback) => {
      dial({
        ...dialOptions,
        path: `${url.pathname.replace(/\/+$/, '')}${prefix}${dialOptions.path}`,
        // A call that brings its own headers (uploads) would otherwise drop the modem's API key.
        headers: dialOptions.headers === undefined ? undefined : { ...dialOptions.headers, 'X-API-Key': options.apiKey }
      }, (err, result) => { callback?.(err === null ? null : reword(err, environmentId), result) })
    }
    // dockerode takes a ready modem (lib/docker.js); its type declarations omit the option.
    return new Docker({ modem } as Docker.DockerOptions)
  }

  function reword (err: Error, environmentId: number): Error {
    const failure = err as Error & { statusCode?: number, json?: unknown, code?: string }
    const where = `Portainer at ${base} (environment ${environmentId})`
    if (failure.statusCode === undefined) {
      if (failure.name === 'AbortError') return err
      return new PortainerError(`${where} cannot be reached: ${failure.code ?? failure.message}`, undefined, { cause: err })
    }
    const own = portainerBody(failure.json)
    if (own === undefined) return err // Docker's own answer, passed through: executors read its status
    return new PortainerError(`${where} ${describeStatus(failure.statusCode, 'the environment')} (HTTP ${failure.statusCode}: ${own.message}: ${own.details})`, failure.statusCode, { cause: err })
  }

  return {
    url: base,
    listEnvironments: () => request<PortainerEnvironment[]>('/api/endpoints'),
    /** The environment engine's `GET /info`, through Portainer: memory and CPUs, live. */
    dockerInfo: (environmentId: number) => request<{ MemTotal: number, NCPU: number }>(`/api/endpoints/${environmentId}/docker/info`),
    docker
  }
}

export type PortainerClient = ReturnType<typeof createPortainerClient>
