// A running tenant's logs and live stats, read from its container on its worker.
import type Docker from 'dockerode'
import { PassThrough, type Readable } from 'node:stream'
import { containerName } from './container-spec.js'
import { NoContainer } from './errors.js'

async function inspect (docker: Docker, tenantId: string): Promise<Docker.ContainerInspectInfo> {
  try {
    return await docker.getContainer(containerName(tenantId)).inspect()
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) throw new NoContainer('The instance has no container right now; start it first')
    throw err
  }
}

/** stdout and stderr interleaved as plain text; with `follow` the stream stays open until the client leaves. */
export async function containerLogs (docker: Docker, tenantId: string, options: { tail: number, follow: boolean }): Promise<Readable> {
  await inspect(docker, tenantId)
  const container = docker.getContainer(containerName(tenantId))
  const out = new PassThrough()
  if (options.follow) {
    const raw = await container.logs({ follow: true, stdout: true, stderr: true, tail: options.tail })
    // Docker multiplexes stdout and stderr in 8-byte-framed chunks when there is no TTY.
    docker.modem.demuxStream(raw, out, out)
    raw.on('end', () => out.end())
    raw.on('error', (err) => out.destroy(err))
    out.on('close', () => { (raw as unknown as { destroy: () => void }).destroy() })
  } else {
    const buffer = await container.logs({ follow: false, stdout: true, stderr: true, tail: options.tail })
    const raw = new PassThrough()
    docker.modem.demuxStream(raw, out, out)
    raw.on('end', () => out.end())
    raw.end(buffer)
  }
  return out
}

export interface TenantStats {
  status: string
  uptimeSeconds: number
  cpuPercent: number
  memory: { usage: number, limit: number }
  network: { rxBytes: number, txBytes: number }
  pids: number
}

export async function containerStats (docker: Docker, tenantId: string): Promise<TenantStats> {
  const info = await inspect(docker, tenantId)
  const running = info.State.Running
  const stats = running ? await docker.getContainer(containerName(tenantId)).stats({ stream: false }) : undefined
  // Docker's own formula: CPU delta over system delta, times online CPUs.
  const cpuDelta = (stats?.cpu_stats.cpu_usage.total_usage ?? 0) - (stats?.precpu_stats.cpu_usage.total_usage ?? 0)
  const systemDelta = (stats?.cpu_stats.system_cpu_usage ?? 0) - (stats?.precpu_stats.system_cpu_usage ?? 0)
  const cpus = stats?.cpu_stats.online_cpus ?? 1
  const networks = Object.values(stats?.networks ?? {})
  return {
    status: info.State.Status,
    uptimeSeconds: running ? Math.max(0, Math.round((Date.now() - Date.parse(info.State.StartedAt)) / 1000)) : 0,
    cpuPercent: systemDelta > 0 ? Math.round((cpuDelta / systemDelta) * cpus * 10_000) / 100 : 0,
    memory: { usage: stats?.memory_stats.usage ?? 0, limit: stats?.memory_stats.limit ?? info.HostConfig.Memory ?? 0 },
    network: { rxBytes: networks.reduce((sum, n) => sum + n.rx_bytes, 0), txBytes: networks.reduce((sum, n) => sum + n.tx_bytes, 0) },
    pids: stats?.pids_stats?.current ?? 0
  }
}
