// One executor per planner step kind (balena-supervisor style): each does one Docker call or a
// short sequence, and treats "already done" answers (304, 404 on remove, 409 on create) as success,
// so a step repeated after a crash is harmless.
import type Docker from 'dockerode'
import { containerName, networkName, networkSpec, TENANT_UID, volumeName, volumeSpec, type TenantRef } from './container-spec.js'
import type { TenantEvents } from './events.js'
import { GATEWAY_STATE_DIR, gatewayConfig } from '../../server/gateway-config.js'
import type { Step } from './planner.js'
import { tar } from './tar.js'

export interface ExecutionContext {
  docker: Docker
  tenant: TenantRef & { ownerEmail: string }
  spec: Docker.ContainerCreateOptions
  /** The instance's URL, the only origin its Control UI accepts. */
  url: string
  events: TenantEvents
  /** Starts (or keeps) a watch that reports healthy/routable once the gateway answers /readyz. */
  watchReady: (container: string) => void
  /** Makes sure the worker's compile cache volume for the image exists (compile-cache.ts). */
  ensureCompileCache: (image: string) => Promise<void>
}

/** Steps that touch different objects and may run side by side (the reconciler batches them). */
export const INDEPENDENT_STEPS: ReadonlySet<Step['kind']> = new Set(['createNetwork', 'createVolume', 'ensureImage'])

type Executor<K extends Step['kind']> = (context: ExecutionContext, step: Extract<Step, { kind: K }>) => Promise<void>
export type Executors = { [K in Step['kind']]: Executor<K> }

export function statusOf (err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode
}

/** Runs a Docker call, treating the listed status codes as "nothing to do". */
export async function tolerate (call: () => Promise<unknown>, ...codes: number[]): Promise<void> {
  try {
    await call()
  } catch (err) {
    if (!codes.includes(statusOf(err) ?? 0)) throw err
  }
}

export async function networkGateway (docker: Docker, tenantId: string): Promise<string> {
  const info = await docker.getNetwork(networkName(tenantId)).inspect() as { IPAM?: { Config?: Array<{ Gateway?: string }> } }
  const gateway = info.IPAM?.Config?.find((entry) => entry.Gateway !== undefined)?.Gateway
  if (gateway === undefined) throw new Error(`network ${networkName(tenantId)} has no gateway address`)
  return gateway
}

async function pull (docker: Docker, image: string): Promise<void> {
  const stream = await docker.pull(image)
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err) => { if (err === null) resolve(); else reject(err) })
  })
}

export const executors: Executors = {
  async createNetwork ({ docker, tenant }) {
    await tolerate(() => docker.createNetwork(networkSpec(tenant)), 409)
  },
  async createVolume ({ docker, tenant }) {
    await docker.createVolume(volumeSpec(tenant))
  },
  async ensureImage ({ docker, spec, tenant, events, ensureCompileCache }) {
    const image = spec.Image!
    try {
      await docker.getImage(image).inspect()
    } catch (err) {
      if (statusOf(err) !== 404) throw err
      try {
        await pull(docker, image)
      } catch (pullErr) {
        throw new Error(`image ${image} is not on the worker and cannot be pulled: ${(pullErr as Error).message}`, { cause: pullErr })
      }
    }
    await ensureCompileCache(image)
    events.emit(tenant.id, 'image-ready')
  },
  async createContainer ({ docker, spec, tenant, events }) {
    // The fixed name makes a second create (after a crash mid-apply) fail with 409 instead of duplicating.
    await tolerate(() => docker.createContainer(spec), 409)
    events.emit(tenant.id, 'container-created')
  },
  async writeConfig ({ docker, tenant, url }) {
    // The router reaches the container from the bridge's gateway address: the only trusted proxy.
    const config = gatewayConfig({ trustedProxies: [await networkGateway(docker, tenant.id)], allowUsers: [tenant.ownerEmail], allowedOrigins: [url] })
    const archive = tar([
      { path: './', mode: 0o700, uid: TENANT_UID, gid: TENANT_UID },
      { path: 'openclaw.json', content: Buffer.from(JSON.stringify(config, null, 2) + '\n'), mode: 0o600, uid: TENANT_UID, gid: TENANT_UID }
    ])
    await docker.getContainer(containerName(tenant.id)).putArchive(archive, { path: GATEWAY_STATE_DIR })
  },
  async startContainer ({ docker, tenant, events, watchReady }, step) {
    await tolerate(() => docker.getContainer(step.container).start(), 304)
    events.emit(tenant.id, 'starting')
    watchReady(step.container)
  },
  async restartContainer ({ docker, tenant, events, watchReady }, step) {
    await docker.getContainer(step.container).restart({ t: 10 })
    events.emit(tenant.id, 'starting')
    watchReady(step.container)
  },
  async stopContainer ({ docker, tenant, events }, step) {
    await tolerate(() => docker.getContainer(step.container).stop({ t: 10 }), 304, 404)
    events.emit(tenant.id, 'stopped')
  },
  async removeContainer ({ docker }, step) {
    await tolerate(() => docker.getContainer(step.container).remove({ force: true, v: false }), 404, 409)
  },
  async watchReady ({ watchReady }, step) {
    watchReady(step.container)
  },
  async removeNetwork ({ docker, tenant }) {
    await tolerate(() => docker.getNetwork(networkName(tenant.id)).remove(), 404)
  },
  async removeVolume ({ docker, tenant }) {
    await tolerate(() => docker.getVolume(volumeName(tenant.id)).remove(), 404)
  }
}
