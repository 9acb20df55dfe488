// The compile cache a worker prepares once per image (container-spec.ts mounts it read-only into
// every tenant). Most of a gateway's start is Node compiling OpenClaw's ~4,000 modules; Node keeps
// the V8 code of what it compiled in NODE_COMPILE_CACHE (flushed when the process exits) and reuses
// it when the file's content matches. So a warm-up container runs the image's own gateway with a
// tenant-like config once, on no network and holding no tenant data, until /healthz answers; a
// graceful stop then writes the cache into the volume. Tenants never write it: one cannot plant
// code another runs. An empty or missing cache only means a cold start, never a failure.
import type Docker from 'dockerode'
import type { FastifyBaseLogger } from 'fastify'
import path from 'node:path'
import { COMPILE_CACHE_DIR, COMPILE_CACHE_MOUNT, compileCacheVolumeName, GATEWAY_ENV, hardening, TENANT_UID } from './container-spec.js'
import { statusOf, tolerate } from './executors.js'
import { GATEWAY_CONFIG_PATH, GATEWAY_PORT, GATEWAY_STATE_DIR, gatewayConfig } from '../../server/gateway-config.js'
import { LABEL_INSTALLATION } from './installation.js'
import { tar } from './tar.js'

export const LABEL_COMPILE_CACHE = 'openclaw.cloud/compile-cache'
const warmerName = (image: string): string => `${compileCacheVolumeName(image)}-warm-up`
const SECOND = 1_000_000_000
const HEALTH_PROBE = `fetch('http://127.0.0.1:${GATEWAY_PORT}/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))`
// A warm-up is one gateway start; on a loaded worker that can take minutes.
const WARM_UP_TIMEOUT_MS = 10 * 60_000
// Time for the gateway's graceful shutdown, which is when Node writes the cache.
const STOP_GRACE_S = 120

/** The warm-up container: a tenant's hardening and environment, the cache writable, no network. */
export function warmUpSpec (image: string, installation: string): Docker.ContainerCreateOptions {
  return {
    name: warmerName(image),
    Image: image,
    User: `${TENANT_UID}:${TENANT_UID}`,
    Env: [...GATEWAY_ENV],
    Healthcheck: { Test: ['CMD', 'node', '-e', HEALTH_PROBE], Interval: SECOND, Timeout: 5 * SECOND, Retries: 1_000_000 },
    Labels: { [LABEL_COMPILE_CACHE]: image, [LABEL_INSTALLATION]: installation },
    HostConfig: {
      ...hardening(),
      Memory: 2 * 1024 ** 3,
      MemorySwap: 2 * 1024 ** 3,
      // One core: tenants starting beside it keep the other.
      NanoCpus: 1_000_000_000,
      PidsLimit: 512,
      NetworkMode: 'none',
      Mounts: [{ Type: 'volume', Source: compileCacheVolumeName(image), Target: COMPILE_CACHE_MOUNT }]
    }
  }
}

/** The config the warm-up gateway starts with: a tenant's, for addresses that exist nowhere. */
function warmUpConfig (): Buffer {
  // TEST-NET-1 (RFC 5737) and a reserved name (RFC 2606): nothing can ever reach or claim them.
  const config = gatewayConfig({ trustedProxies: ['192.0.2.1'], allowUsers: ['compile-cache@warm-up.invalid'], allowedOrigins: ['https://warm-up.invalid'] })
  return tar([
    { path: './', mode: 0o700, uid: TENANT_UID, gid: TENANT_UID },
    { path: path.basename(GATEWAY_CONFIG_PATH), content: Buffer.from(JSON.stringify(config)), mode: 0o600, uid: TENANT_UID, gid: TENANT_UID }
  ])
}

export type CompileCaches = ReturnType<typeof createCompileCaches>

export function createCompileCaches (options: { installation: string, log: FastifyBaseLogger }) {
  const { log } = options
  // Per worker and image: settled once this process has seen the cache ready or warmed it.
  const prepared = new Map<string, Promise<void>>()
  const warmers = new Set<Docker.Container>()
  const abort = new AbortController()

  async function sleep (ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms))
    abort.signal.throwIfAborted()
  }

  async function warm (docker: Docker, image: string): Promise<void> {
    const started = Date.now()
    const warmer = await docker.createContainer(warmUpSpec(image, options.installation))
    warmers.add(warmer)
    try {
      await warmer.putArchive(warmUpConfig(), { path: GATEWAY_STATE_DIR })
      // The volume's root belongs to root: the gateway's user writes into a directory of its own.
      await warmer.putArchive(tar([{ path: `${path.basename(COMPILE_CACHE_DIR)}/`, mode: 0o755, uid: TENANT_UID, gid: TENANT_UID }]), { path: COMPILE_CACHE_MOUNT })
      await warmer.start()
      for (;;) {
        await sleep(1000)
        const state = (await warmer.inspect()).State
        if (state.Health?.Status === 'healthy') break
        if (!state.Running) throw new Error(`the warm-up gateway exited with code ${state.ExitCode}`)
        if (Date.now() - started > WARM_UP_TIMEOUT_MS) throw new Error(`the warm-up gateway did not answer /healthz within ${WARM_UP_TIMEOUT_MS / 60_000} min`)
      }
      await warmer.stop({ t: STOP_GRACE_S })
      log.info({ image, seconds: Math.round((Date.now() - started) / 1000) }, 'compile cache warmed')
    } finally {
      warmers.delete(warmer)
      await warmer.remove({ force: true }).catch(() => undefined)
    }
  }

  /**
   * Makes sure the cache volume for `image` exists on this worker before a tenant mounts it (Docker
   * would otherwise create an unlabelled empty one), and warms it in the background when it is new,
   * or when a warm-up container is left over (a warm-up cut short). Resolves once the volume exists.
   */
  async function ensure (docker: Docker, workerId: string, image: string): Promise<void> {
    const key = `${workerId}\n${image}`
    if (prepared.has(key) || abort.signal.aborted) return
    prepared.set(key, Promise.resolve())
    let fresh = false
    try {
      await docker.getVolume(compileCacheVolumeName(image)).inspect()
    } catch (err) {
      if (statusOf(err) !== 404) { prepared.delete(key); throw err }
      await tolerate(() => docker.createVolume({ Name: compileCacheVolumeName(image), Labels: { [LABEL_COMPILE_CACHE]: image } }), 409)
      fresh = true
    }
    if (!fresh) {
      const leftover = await docker.getContainer(warmerName(image)).inspect().then(() => true, (err: unknown) => {
        if (statusOf(err) === 404) return false
        throw err
      })
      if (!leftover) return
      await docker.getContainer(warmerName(image)).remove({ force: true }).catch(() => undefined)
    }
    prepared.set(key, warm(docker, image).catch((err: unknown) => {
      if (!abort.signal.aborted) log.warn({ err, image }, 'compile cache warm-up failed; tenants start without it')
    }))
  }

  return {
    ensure,
    /** Resolves when every warm-up this process started has finished (or failed). */
    async settled (): Promise<void> {
      await Promise.all(prepared.values())
    },
    async close (): Promise<void> {
      abort.abort()
      await Promise.all([...warmers].map(async (warmer) => { await warmer.remove({ force: true }).catch(() => undefined) }))
      await Promise.all(prepared.values())
    }
  }
}
