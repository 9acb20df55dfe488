// A local stand-in for the part of Portainer's published HTTP API that the portainer plugin uses
// (Portainer itself cannot be installed here): `GET /api/endpoints` and `/api/endpoints/{id}/docker/*`,
// which forwards to the real Docker engine's socket exactly as Portainer's Docker proxy does (method,
// path after `/docker`, query, body, streaming answers). Every request must carry the right
// `X-API-Key`; failures answer Portainer's error body `{message, details}`.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from './app.js'

export interface StandinEnvironment { Id: number, Name: string, Type: number, Status: number }

export interface PortainerStandin {
  url: string
  /** Changes the key it accepts (a rotated or revoked token). */
  setApiKey: (key: string) => void
  /** Requests forwarded to Docker, as `METHOD /path` without the query. */
  forwarded: string[]
  /** Requests refused for a missing or wrong key. */
  refused: () => number
}

const DOCKER_PROXY = /^\/api\/endpoints\/(\d+)\/docker(\/.*)$/

function portainerError (res: http.ServerResponse, status: number, message: string, details: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message, details }))
}

export async function startPortainerStandin (t: TestContext, options: { apiKey: string, environments: StandinEnvironment[], dockerSocket?: string }): Promise<PortainerStandin> {
  let apiKey = options.apiKey
  let refused = 0
  const forwarded: string[] = []
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://portainer')
    if (req.headers['x-api-key'] !== apiKey) {
      refused++
      portainerError(res, 401, 'Unauthorized', 'A valid authorisation token is missing')
      return
    }
    if (req.method === 'GET' && url.pathname === '/api/endpoints') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(options.environments.map((environment) => ({
        ...environment, URL: 'unix:///var/run/docker.sock', GroupId: 1, TagIds: [], Snapshots: []
      }))))
      return
    }
    const proxied = DOCKER_PROXY.exec(url.pathname)
    if (proxied === null) { portainerError(res, 404, 'Not found', 'Unknown API route'); return }
    const environment = options.environments.find((candidate) => candidate.Id === Number(proxied[1]))
    if (environment === undefined) { portainerError(res, 404, 'Unable to find an environment with the specified identifier inside the database', 'Object not found inside the database'); return }
    if (environment.Status !== 1) { portainerError(res, 502, 'Unable to proxy the request via the Docker socket', `environment ${environment.Id} is unreachable`); return }
    forwarded.push(`${req.method} ${proxied[2]}`)
    const headers = { ...req.headers }
    delete headers['x-api-key']
    const upstream = http.request({ socketPath: options.dockerSocket ?? '/var/run/docker.sock', method: req.method, path: `${proxied[2]}${url.search}`, headers: { ...headers, host: 'docker' } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', (err) => { if (!res.headersSent) portainerError(res, 502, 'Unable to proxy the request via the Docker socket', err.message); else res.destroy() })
    res.on('close', () => upstream.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setApiKey (key) { apiKey = key },
    forwarded,
    refused: () => refused
  }
}
