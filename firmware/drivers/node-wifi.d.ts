// The part of node-wifi (no bundled types) the NetworkManager driver uses.
declare module 'node-wifi' {
  export interface ScannedNetwork {
    ssid: string
    bssid: string
    quality: number
    security: string
  }
  export interface CurrentConnection { ssid: string }
  const wifi: {
    init: (options: { iface: string | null, debug?: boolean }) => void
    scan: () => Promise<ScannedNetwork[]>
    connect: (ap: { ssid: string, password: string }) => Promise<void>
    getCurrentConnections: () => Promise<CurrentConnection[]>
    deleteConnection: (ap: { ssid: string }) => Promise<void>
  }
  export default wifi
}
