// Real Wi-Fi through NetworkManager: scanning, joining and forgetting via node-wifi (which drives
// `nmcli`), the setup access point via `nmcli device wifi hotspot`. NetworkManager keeps the
// passwords of joined networks (root-only files), so the box itself stores only the network name.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import wifi from 'node-wifi'
import { WifiJoinError, type WifiDriver, type WifiNetwork } from './types.js'

const run = promisify(execFile)

export const HOTSPOT_CONNECTION = 'openclaw-setup'
/** NetworkManager's address on a shared (hotspot) connection unless configured otherwise. */
const NM_SHARED_ADDRESS = '10.42.0.1'

export interface NetworkManagerOptions {
  iface: string
}

/** nmcli's words for a refused key (NM_DEVICE_STATE_REASON_NO_SECRETS and friends). */
function joinError (err: unknown, ssid: string): WifiJoinError {
  const text = err instanceof Error ? err.message : String(err)
  if (/secrets were required|no secrets|802-1x|psk|password/i.test(text)) return new WifiJoinError('wrong-password', `Wrong password for "${ssid}"`)
  if (/no network with ssid/i.test(text)) return new WifiJoinError('not-found', `Network "${ssid}" is not in range`)
  return new WifiJoinError('failed', `Could not join "${ssid}": ${text.trim()}`)
}

export function createNetworkManagerWifi (options: NetworkManagerOptions): WifiDriver {
  wifi.init({ iface: options.iface })
  const nmcli = async (...args: string[]): Promise<string> => (await run('nmcli', args, { timeout: 60_000 })).stdout
  return {
    async scan () {
      const seen = new Map<string, WifiNetwork>()
      for (const network of await wifi.scan()) {
        if (network.ssid === '' || (seen.get(network.ssid)?.signalPercent ?? -1) >= network.quality) continue
        seen.set(network.ssid, { ssid: network.ssid, signalPercent: network.quality, security: network.security === 'none' ? 'open' : network.security })
      }
      return [...seen.values()].sort((a, b) => b.signalPercent - a.signalPercent)
    },
    async connect (ssid, password) {
      try {
        await wifi.connect({ ssid, password })
      } catch (err) {
        throw joinError(err, ssid)
      }
    },
    async reconnect (ssid) {
      try {
        await nmcli('--wait', '30', 'connection', 'up', 'id', ssid)
      } catch (err) {
        throw joinError(err, ssid)
      }
    },
    async isConnected (ssid) {
      return (await wifi.getCurrentConnections()).some((connection) => connection.ssid === ssid)
    },
    async forget (ssid) {
      await wifi.deleteConnection({ ssid }).catch(() => undefined)
    },
    async startAccessPoint (ssid, password) {
      await nmcli('device', 'wifi', 'hotspot', 'ifname', options.iface, 'con-name', HOTSPOT_CONNECTION, 'ssid', ssid, 'band', 'bg', 'password', password)
      const shown = (await nmcli('-g', 'IP4.ADDRESS', 'device', 'show', options.iface)).trim()
      return { ssid, password, address: /^(\d+\.\d+\.\d+\.\d+)/.exec(shown)?.[1] ?? NM_SHARED_ADDRESS }
    },
    async stopAccessPoint () {
      await nmcli('connection', 'down', 'id', HOTSPOT_CONNECTION).catch(() => undefined)
    }
  }
}
