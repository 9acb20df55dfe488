// Simulated Wi-Fi for `--simulate`: a configurable list of networks with passwords. Joining
// checks the password like a real access point would; joined networks are remembered in the data
// dir (as NetworkManager would), and a network can be taken out of range to simulate losing it.
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import Type from 'typebox'
import { check } from '../../protocol/validate.js'
import { writeFileDurable } from '../state/atomic.js'
import { WifiJoinError, type WifiDriver } from './types.js'

export const SimulatedNetwork = Type.Object({
  ssid: Type.String({ minLength: 1, maxLength: 32 }),
  /** Absent: an open network. */
  password: Type.Optional(Type.String()),
  signalPercent: Type.Integer({ minimum: 0, maximum: 100 }),
  inRange: Type.Optional(Type.Boolean())
})
export type SimulatedNetwork = Type.Static<typeof SimulatedNetwork>
export const SimulatedNetworks = Type.Array(SimulatedNetwork)

export const DEFAULT_SIMULATED_NETWORKS: SimulatedNetwork[] = [
  { ssid: 'HomeNet', password: 'correct horse battery', signalPercent: 82 },
  { ssid: 'CoffeeShop', signalPercent: 54 },
  { ssid: 'Neighbour-5G', password: 'not yours', signalPercent: 31 }
]

export interface SimulatedWifi extends WifiDriver {
  setInRange: (ssid: string, inRange: boolean) => void
  readonly accessPoint: { ssid: string } | undefined
}

export interface SimulatedWifiOptions {
  networks: SimulatedNetwork[]
  /** Where joined networks are remembered. */
  profilesFile: string
  /** The setup network's address: where the setup page is served in simulation. */
  apAddress: string
  joinDelayMs?: number
}

export async function loadSimulatedNetworks (file: string): Promise<SimulatedNetwork[]> {
  const checked = check(SimulatedNetworks, JSON.parse(await readFile(file, 'utf8')))
  if (!checked.ok) throw new Error(`${file}${checked.issue.path}: ${checked.issue.message}`)
  return checked.value
}

export function createSimulatedWifi (options: SimulatedWifiOptions): SimulatedWifi {
  const networks = new Map(options.networks.map((n) => [n.ssid, { ...n, inRange: n.inRange ?? true }]))
  let connected: string | undefined
  let accessPoint: { ssid: string } | undefined
  const delay = options.joinDelayMs ?? 300

  const profiles = async (): Promise<Record<string, string>> => {
    try {
      return JSON.parse(await readFile(options.profilesFile, 'utf8')) as Record<string, string>
    } catch {
      return {}
    }
  }
  const join = async (ssid: string, password: string | undefined): Promise<void> => {
    await sleep(delay)
    const network = networks.get(ssid)
    if (network === undefined || !network.inRange) throw new WifiJoinError('not-found', `Network "${ssid}" is not in range`)
    if ((network.password ?? '') !== (password ?? '')) throw new WifiJoinError('wrong-password', `Wrong password for "${ssid}"`)
    connected = ssid
  }
  return {
    async scan () {
      return [...networks.values()].filter((n) => n.inRange)
        .map((n) => ({ ssid: n.ssid, signalPercent: n.signalPercent, security: n.password === undefined ? 'open' : 'WPA2' }))
        .sort((a, b) => b.signalPercent - a.signalPercent)
    },
    async connect (ssid, password) {
      await join(ssid, password)
      await writeFileDurable(options.profilesFile, JSON.stringify({ ...(await profiles()), [ssid]: password }))
    },
    async reconnect (ssid) {
      const saved = (await profiles())[ssid]
      if (saved === undefined) throw new WifiJoinError('failed', `No saved profile for "${ssid}"`)
      await join(ssid, saved)
    },
    async isConnected (ssid) {
      return connected === ssid && networks.get(ssid)?.inRange === true
    },
    async forget (ssid) {
      const { [ssid]: _gone, ...rest } = await profiles()
      await writeFileDurable(options.profilesFile, JSON.stringify(rest))
      if (connected === ssid) connected = undefined
    },
    async startAccessPoint (ssid, password) {
      connected = undefined
      accessPoint = { ssid }
      return { ssid, password, address: options.apAddress }
    },
    async stopAccessPoint () { accessPoint = undefined },
    setInRange (ssid, inRange) {
      const network = networks.get(ssid)
      if (network !== undefined) network.inRange = inRange
      if (!inRange && connected === ssid) connected = undefined
    },
    get accessPoint () { return accessPoint }
  }
}
