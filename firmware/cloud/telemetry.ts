// One telemetry sample per the protocol's Telemetry schema: CPU (busy share since the last sample),
// memory (MemAvailable, as `free` reports it), disk of the data dir, SoC temperature where the
// kernel exposes it, and the gateway's state.
import { readFile, statfs } from 'node:fs/promises'
import os from 'node:os'
import type { GatewayStatus, Telemetry } from '../../protocol/payloads.js'

interface CpuTimes { busy: number, total: number }

function cpuTimes (): CpuTimes {
  let busy = 0
  let total = 0
  for (const cpu of os.cpus()) {
    const { user, nice, sys, idle, irq } = cpu.times
    busy += user + nice + sys + irq
    total += user + nice + sys + idle + irq
  }
  return { busy, total }
}

async function availableMemory (): Promise<number> {
  const meminfo = await readFile('/proc/meminfo', 'utf8').catch(() => '')
  const kib = /^MemAvailable:\s+(\d+) kB/m.exec(meminfo)?.[1]
  return kib === undefined ? os.freemem() : Number(kib) * 1024
}

async function temperature (zoneFile: string): Promise<number | undefined> {
  const text = await readFile(zoneFile, 'utf8').catch(() => undefined)
  const milli = Number(text?.trim())
  if (text === undefined || !Number.isFinite(milli)) return undefined
  const celsius = Math.round(milli / 100) / 10
  return celsius >= -60 && celsius <= 150 ? celsius : undefined
}

export interface TelemetrySampler {
  sample: (gateway: { status: GatewayStatus, restarts: number, version?: string }) => Promise<Telemetry>
}

export function createTelemetrySampler (options: { dataDir: string, thermalZone?: string }): TelemetrySampler {
  let last = cpuTimes()
  return {
    async sample (gateway) {
      const times = cpuTimes()
      const total = times.total - last.total
      const percent = total > 0 ? Math.min(100, Math.max(0, ((times.busy - last.busy) / total) * 100)) : 0
      last = times
      const fs = await statfs(options.dataDir)
      const totalMemory = os.totalmem()
      const temperatureC = await temperature(options.thermalZone ?? '/sys/class/thermal/thermal_zone0/temp')
      return {
        ts: Date.now(),
        cpu: { percent: Math.round(percent * 10) / 10, load1: os.loadavg()[0] ?? 0 },
        memory: { usedBytes: Math.max(0, totalMemory - await availableMemory()), totalBytes: totalMemory },
        disk: { usedBytes: (fs.blocks - fs.bfree) * fs.bsize, totalBytes: fs.blocks * fs.bsize },
        ...(temperatureC === undefined ? {} : { temperatureC }),
        gateway
      }
    }
  }
}
