// Docker clients for workers: one dockerode instance per worker endpoint, built on first use.
import Docker from 'dockerode'
import type { WorkerTls } from './entities.js'
import { InvalidWorkerEndpoint } from './errors.js'

export interface DockerEndpoint { endpoint: string, tls?: WorkerTls | null }

/** Accepts `unix:///path` or `tcp://host:port`; a tcp endpoint without TLS material is refused (an open Docker port is root on that host). */
export function parseEndpoint ({ endpoint, tls }: DockerEndpoint): Docker.DockerOptions {
  let url: URL
  try { url = new URL(endpoint) } catch { throw new InvalidWorkerEndpoint(`endpoint ${JSON.stringify(endpoint)} is not a URL; use unix:///var/run/docker.sock or tcp://host:2376`) }
  if (url.protocol === 'unix:') {
    if (url.pathname === '' || url.pathname === '/') throw new InvalidWorkerEndpoint(`endpoint ${endpoint} names no socket path`)
    return { socketPath: url.pathname }
  }
  if (url.protocol === 'tcp:') {
    if (tls == null) throw new InvalidWorkerEndpoint(`endpoint ${endpoint} needs TLS (ca, cert, key): plain TCP would expose the Docker API`)
    return { protocol: 'https', host: url.hostname, port: Number(url.port || 2376), ca: tls.ca, cert: tls.cert, key: tls.key }
  }
  throw new InvalidWorkerEndpoint(`endpoint ${endpoint} must start with unix:// or tcp://`)
}

export interface DockerClients {
  get: (workerId: string, endpoint: DockerEndpoint) => Docker
  forget: (workerId: string) => void
}

export function createDockerClients (): DockerClients {
  const clients = new Map<string, { key: string, docker: Docker }>()
  return {
    get (workerId, endpoint) {
      const key = JSON.stringify(endpoint)
      const cached = clients.get(workerId)
      if (cached?.key === key) return cached.docker
      const docker = new Docker(parseEndpoint(endpoint))
      clients.set(workerId, { key, docker })
      return docker
    },
    forget (workerId) { clients.delete(workerId) }
  }
}
