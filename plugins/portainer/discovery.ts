// Portainer environments -> workers: each Docker environment becomes (or refreshes) worker
// `portainer-<id>`, with its capacity read live from the engine through Portainer. An environment
// Portainer reports down, one whose engine does not answer, or every one when Portainer itself
// fails, goes offline with the reason in `lastError`, which admins see in the worker list.
import type { FastifyBaseLogger } from 'fastify'
import type { Worker } from '../scheduler/entities.js'
import type { Workers } from '../scheduler/workers.js'
import { DOCKER_ENVIRONMENT_TYPES, ENVIRONMENT_UP, type PortainerClient, type PortainerEnvironment } from './client.js'

export const PORTAINER_WORKER_PREFIX = 'portainer-'

export const workerIdOf = (environment: Pick<PortainerEnvironment, 'Id'>): string => `${PORTAINER_WORKER_PREFIX}${environment.Id}`

/** The environment id behind a Portainer worker. */
export function environmentIdOf (worker: Pick<Worker, 'id'>): number {
  return Number(worker.id.slice(PORTAINER_WORKER_PREFIX.length))
}

function workerName (environment: PortainerEnvironment): string {
  const slug = environment.Name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')
  return `${workerIdOf(environment)}${slug === '' ? '' : `-${slug}`}`.slice(0, 63).replace(/-$/, '')
}

export interface DiscoveryOptions {
  client: PortainerClient
  workers: Workers
  log: FastifyBaseLogger
  cpuOvercommit: number
}

export function createDiscovery ({ client, workers, log, cpuOvercommit }: DiscoveryOptions) {
  async function refresh (environment: PortainerEnvironment): Promise<Worker> {
    const known = {
      id: workerIdOf(environment),
      name: workerName(environment),
      kind: 'portainer' as const,
      endpoint: `${client.url}/api/endpoints/${environment.Id}/docker`,
      labels: { 'portainer.environment': environment.Name.slice(0, 128) }
    }
    if (environment.Status !== ENVIRONMENT_UP) return await workers.upsertDiscovered({ ...known, error: `Portainer reports environment ${environment.Id} (${environment.Name}) down` })
    try {
      const info = await client.dockerInfo(environment.Id)
      return await workers.upsertDiscovered({ ...known, capacity: { memory: info.MemTotal, cpu: info.NCPU * cpuOvercommit } })
    } catch (err) {
      return await workers.upsertDiscovered({ ...known, error: (err as Error).message })
    }
  }

  return {
    /** One pass over Portainer's environment list; returns the workers it refreshed. */
    async sync (): Promise<Worker[]> {
      const ours = (await workers.list()).filter((worker) => worker.kind === 'portainer')
      let environments: PortainerEnvironment[]
      try {
        environments = (await client.listEnvironments()).filter((environment) => DOCKER_ENVIRONMENT_TYPES.has(environment.Type))
      } catch (err) {
        log.warn({ portainer: client.url, reason: (err as Error).message }, 'cannot list Portainer environments')
        for (const worker of ours) await workers.upsertDiscovered({ ...worker, kind: 'portainer', error: (err as Error).message })
        return []
      }
      const refreshed = await Promise.all(environments.map(refresh))
      const listed = new Set(refreshed.map((worker) => worker.id))
      // Gone from Portainer: kept (its tenants' volumes live there) but offline, saying why.
      for (const worker of ours.filter((candidate) => !listed.has(candidate.id))) {
        await workers.upsertDiscovered({ ...worker, kind: 'portainer', error: `Portainer at ${client.url} no longer lists environment ${environmentIdOf(worker)}` })
      }
      return refreshed
    }
  }
}
