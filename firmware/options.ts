// Everything `openclaw-box run` can be told, with defaults for a real box. `--simulate` swaps the
// drivers and moves the setup page, API and DNS to loopback ports any user may bind.
import type { SimulatedNetwork } from './drivers/wifi-sim.js'
import type { GatewayInstallOptions } from './gateway/versions.js'

export interface GatewayCommand {
  /** `{package}` in the command or its arguments: the current OpenClaw version's package root (gateway/versions.ts). */
  command: string
  args: string[]
  /** Loopback port the gateway listens on: health checks and, later, the tunnel's only target. */
  port: number
  healthPath: string
  /** How `upgrade-gateway` installs versions (default DEFAULT_INSTALL); it works only when the command names `{package}`. */
  install?: GatewayInstallOptions
}

export interface BoxOptions {
  credentialsFile: string
  dataDir: string
  simulate: boolean
  apiHost: string
  apiPort: number
  setupHost: string
  setupPort: number
  dnsPort: number
  wifiInterface: string
  /** How long `offline` keeps retrying the known network before it falls back to setup. */
  offlineFallbackMs: number
  wifiCheckIntervalMs: number
  telemetryIntervalMs: number
  statusScreenMs: number
  /** Pause before asking for a new device-flow claim code after a denial or a failed request. */
  claimRetryMs: number
  gateway?: GatewayCommand
  simulatedNetworks?: SimulatedNetwork[]
  framebuffer: string
  framebufferSysfs: string
  buttonDevice?: string
  buttonKeyCode?: number
}

export function defaultOptions (credentialsFile: string, dataDir: string, simulate: boolean): BoxOptions {
  return {
    credentialsFile,
    dataDir,
    simulate,
    apiHost: '127.0.0.1',
    apiPort: 8079,
    setupHost: simulate ? '127.0.0.1' : '0.0.0.0',
    setupPort: simulate ? 8080 : 80,
    dnsPort: simulate ? 5353 : 53,
    wifiInterface: 'wlan0',
    offlineFallbackMs: 10 * 60_000,
    wifiCheckIntervalMs: 10_000,
    telemetryIntervalMs: 30_000,
    statusScreenMs: 15_000,
    claimRetryMs: 30_000,
    framebuffer: '/dev/fb0',
    framebufferSysfs: '/sys/class/graphics/fb0'
  }
}
