// What is on a worker: managed containers, networks and volumes by label, in the planner's terms.
import type Docker from 'dockerode'
import { LABEL_MANAGED, LABEL_SPEC, LABEL_TENANT, networkName } from './container-spec.js'
import { GATEWAY_PORT } from '../../server/gateway-config.js'
import { LABEL_INSTALLATION } from './installation.js'
import type { ActualContainer, ActualTenant } from './planner.js'

function labelFilter (tenantId?: string): { label: string[] } {
  return { label: tenantId === undefined ? [`${LABEL_MANAGED}=true`] : [`${LABEL_MANAGED}=true`, `${LABEL_TENANT}=${tenantId}`] }
}

function exitCodeOf (status: string): number | undefined {
  const match = /Exited \((-?\d+)\)/.exec(status)
  return match === null ? undefined : Number(match[1])
}

/**
 * Runs the calls of one observation under a deadline: a worker that hangs (a host gone from the
 * network) must not hold the reconciler. The error says so in words.
 */
async function withDeadline<T> (timeoutMs: number | undefined, calls: (signal?: AbortSignal) => Promise<T>): Promise<T> {
  if (timeoutMs === undefined) return await calls()
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    return await calls(signal)
  } catch (err) {
    if (signal.aborted) throw new Error(`no answer within ${timeoutMs / 1000} s`, { cause: err })
    throw err
  }
}

export async function listContainers (docker: Docker, tenantId?: string, timeoutMs?: number): Promise<ActualContainer[]> {
  const found = await withDeadline(timeoutMs, (abortSignal) => docker.listContainers({ all: true, filters: labelFilter(tenantId), abortSignal }))
  return found.map((info) => ({
    id: info.Id,
    tenantId: info.Labels[LABEL_TENANT] ?? '',
    state: info.State as ActualContainer['state'],
    specHash: info.Labels[LABEL_SPEC] ?? '',
    installation: info.Labels[LABEL_INSTALLATION],
    createdAt: info.Created * 1000,
    exitCode: exitCodeOf(info.Status)
  }))
}

export async function observeTenant (docker: Docker, tenantId: string, timeoutMs?: number): Promise<ActualTenant> {
  const [containers, networks, volumes] = await Promise.all([
    listContainers(docker, tenantId, timeoutMs),
    withDeadline(timeoutMs, (abortSignal) => docker.listNetworks({ filters: labelFilter(tenantId), abortSignal })),
    withDeadline(timeoutMs, (abortSignal) => docker.listVolumes({ filters: labelFilter(tenantId), abortSignal }))
  ])
  return { containers, network: networks.length > 0, volume: (volumes.Volumes ?? []).length > 0 }
}

/** The gateway's address on its tenant network, as the router dials it, and the container's id. */
export async function upstreamOf (docker: Docker, tenantId: string, container: string): Promise<{ upstream: string, id: string }> {
  const info = await docker.getContainer(container).inspect()
  const ip = info.NetworkSettings.Networks[networkName(tenantId)]?.IPAddress
  if (ip === undefined || ip === '') throw new Error(`container ${container} has no address on ${networkName(tenantId)}`)
  return { upstream: `http://${ip}:${GATEWAY_PORT}`, id: info.Id }
}

/**
 * Where the readiness probe says it comes from. OpenClaw answers traffic from a trusted proxy that
 * carries no `X-Forwarded-For` resolving to a non-loopback client outside `trustedProxies` with 403
 * `proxy_attribution_required` (docs/gateway/trusted-proxy-auth.md, "Runtime rules" 1); the bridge
 * gateway itself does not count, as it is the trusted proxy. The probe has no browser behind it, so
 * it names a TEST-NET-1 address (RFC 5737), which no real client ever has, and sends no user header:
 * it gets the public view of /readyz.
 */
export const PROBE_CLIENT_ADDRESS = '192.0.2.1'

/** Between readiness polls: a refused connection costs nothing, and every wait is added to a start. */
const POLL_INTERVAL_MS = 50

/** Polls `<upstream>/readyz` until it answers 2xx; throws on timeout or abort. */
export async function waitReady (upstream: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const headers = { 'x-forwarded-for': PROBE_CLIENT_ADDRESS }
  let last = 'no answer'
  while (Date.now() < deadline) {
    signal.throwIfAborted()
    try {
      const res = await fetch(`${upstream}/readyz`, { headers, signal: AbortSignal.any([signal, AbortSignal.timeout(2000)]) })
      const body = await res.text()
      if (res.ok) return
      last = `HTTP ${res.status} ${body.slice(0, 200)}`.trim()
    } catch (err) {
      signal.throwIfAborted()
      last = (err as Error).message
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS))
  }
  throw new Error(`the gateway did not answer /readyz within ${Math.round(timeoutMs / 1000)} s (last: ${last})`)
}
