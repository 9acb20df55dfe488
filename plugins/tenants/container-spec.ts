// The Docker objects of one tenant: names, its network, its state volume and its hardened container.
// Pure: tenant + plan in, Docker API bodies out; a hash of the container body is stored as a label
// so the planner can tell a container built from an older spec.
import type Docker from 'dockerode'
import { createHash } from 'node:crypto'
import { GATEWAY_CONFIG_PATH, GATEWAY_PORT, GATEWAY_STATE_DIR } from '../../server/gateway-config.js'
import { LABEL_INSTALLATION } from './installation.js'
import type { Plan } from './plans.js'

export const LABEL_TENANT = 'openclaw.cloud/tenant'
export const LABEL_MANAGED = 'openclaw.cloud/managed'
export const LABEL_SPEC = 'openclaw.cloud/spec'
/** The image's `node` user: tenants never run as root. */
export const TENANT_UID = 1000

export interface TenantRef {
  id: string
  slug: string
  /** The control plane that owns it (installation.ts); only that one removes it as an orphan. */
  installation?: string
}

export const containerName = (id: string): string => `openclaw-tenant-${id}`
export const networkName = (id: string): string => `openclaw-tenant-${id}`
export const volumeName = (id: string): string => `openclaw-tenant-${id}-state`

/**
 * Node's module compile cache (NODE_COMPILE_CACHE) inside tenant containers: one volume per image
 * on each worker, filled once by compile-cache.ts and mounted read-only, so a gateway loads its
 * ~4,000 modules from cached V8 code instead of compiling them.
 */
export const COMPILE_CACHE_MOUNT = '/var/cache/openclaw'
/** A directory inside the volume: Docker makes a volume's root owned by root, and the gateway runs as uid 1000. */
export const COMPILE_CACHE_DIR = `${COMPILE_CACHE_MOUNT}/node-compile-cache`
export const compileCacheVolumeName = (image: string): string => `openclaw-compile-cache-${createHash('sha256').update(image).digest('hex').slice(0, 16)}`

/** Where the gateway finds its state and config; the same paths as `openclaw fleet` pins. */
export const GATEWAY_ENV: readonly string[] = [
  'HOME=/home/node',
  'OPENCLAW_HOME=/home/node',
  `OPENCLAW_STATE_DIR=${GATEWAY_STATE_DIR}`,
  `OPENCLAW_CONFIG_PATH=${GATEWAY_CONFIG_PATH}`,
  `OPENCLAW_WORKSPACE_DIR=${GATEWAY_STATE_DIR}/workspace`,
  `XDG_CACHE_HOME=${GATEWAY_STATE_DIR}/cache`,
  `OPENCLAW_GATEWAY_PORT=${GATEWAY_PORT}`,
  `NODE_COMPILE_CACHE=${COMPILE_CACHE_DIR}`
]

/** What every container we run gets: no capabilities, no privilege escalation, bounded logs. */
export function hardening (): Docker.HostConfig {
  return {
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges:true'],
    LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } }
  }
}

export function tenantLabels (tenant: TenantRef): Record<string, string> {
  const labels: Record<string, string> = { [LABEL_TENANT]: tenant.id, [LABEL_MANAGED]: 'true', 'openclaw.cloud/slug': tenant.slug }
  if (tenant.installation !== undefined) labels[LABEL_INSTALLATION] = tenant.installation
  return labels
}

/** One bridge per tenant: tenants share no network, so they cannot reach each other. */
export function networkSpec (tenant: TenantRef): Docker.NetworkCreateOptions {
  return {
    Name: networkName(tenant.id),
    Driver: 'bridge',
    CheckDuplicate: true,
    Labels: tenantLabels(tenant),
    // No other container joins this bridge, and published ports are never used (the router dials the IP).
    Options: { 'com.docker.network.bridge.enable_icc': 'false' }
  }
}

export function volumeSpec (tenant: TenantRef): Docker.VolumeCreateOptions {
  return { Name: volumeName(tenant.id), Labels: tenantLabels(tenant) }
}

const READY_PROBE = `fetch('http://127.0.0.1:${GATEWAY_PORT}/readyz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))`
const SECOND = 1_000_000_000

export function containerSpec (tenant: TenantRef, plan: Plan): Docker.ContainerCreateOptions {
  const body: Docker.ContainerCreateOptions = {
    Image: plan.image,
    User: `${TENANT_UID}:${TENANT_UID}`,
    Env: [...GATEWAY_ENV],
    ExposedPorts: { [`${GATEWAY_PORT}/tcp`]: {} },
    Healthcheck: { Test: ['CMD', 'node', '-e', READY_PROBE], Interval: 30 * SECOND, Timeout: 5 * SECOND, StartPeriod: 60 * SECOND, Retries: 3 },
    Labels: tenantLabels(tenant),
    HostConfig: {
      ...hardening(),
      Memory: plan.memory,
      MemorySwap: plan.memory,
      NanoCpus: Math.round(plan.cpus * 1e9),
      PidsLimit: plan.pids,
      RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
      Mounts: [
        { Type: 'volume', Source: volumeName(tenant.id), Target: GATEWAY_STATE_DIR },
        // Read-only: only the warm-up writes it, so no tenant can plant code another tenant runs.
        { Type: 'volume', Source: compileCacheVolumeName(plan.image), Target: COMPILE_CACHE_MOUNT, ReadOnly: true }
      ],
      NetworkMode: networkName(tenant.id)
    }
  }
  const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16)
  return { ...body, name: containerName(tenant.id), Labels: { ...body.Labels, [LABEL_SPEC]: hash } }
}

export function specHash (spec: Docker.ContainerCreateOptions): string {
  return spec.Labels?.[LABEL_SPEC] ?? ''
}
