// The box's own setup API on the setup network (firmware/setup/server.ts): status, networks, join.
import type { SetupStatus, WifiNetwork } from '../../protocol/box-setup.js'

export type { SetupStatus, WifiNetwork }

async function json<T> (response: Response): Promise<T> {
  if (!response.ok) {
    const body = await response.json().catch(() => null) as { message?: string } | null
    throw new Error(body?.message ?? response.statusText)
  }
  return await response.json() as T
}

export const fetchStatus = async (): Promise<SetupStatus> => await json<SetupStatus>(await fetch('/api/status', { cache: 'no-store' }))

export const fetchNetworks = async (): Promise<WifiNetwork[]> => (await json<{ networks: WifiNetwork[] }>(await fetch('/api/networks', { cache: 'no-store' }))).networks

export async function joinWifi (ssid: string, password: string): Promise<void> {
  await json(await fetch('/api/wifi', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ssid, password }) }))
}
