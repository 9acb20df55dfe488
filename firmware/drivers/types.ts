// What the daemon needs from the hardware. Each driver has a real implementation (NetworkManager,
// the framebuffer, an evdev input device, systemd) and a simulated one selected by `--simulate`.

import type { WifiNetwork } from '../../protocol/box-setup.js'

export type { WifiNetwork }

export type WifiFailure = 'wrong-password' | 'not-found' | 'failed'

export class WifiJoinError extends Error {
  override readonly name = 'WifiJoinError'
  constructor (readonly reason: WifiFailure, message: string) {
    super(message)
  }
}

export interface AccessPoint {
  ssid: string
  /** WPA2 passphrase shown on the display; the phone joins by scanning the Wi-Fi QR. */
  password: string
  /** The box's address on the setup network: where DNS sends every name. */
  address: string
}

export interface WifiDriver {
  scan: () => Promise<WifiNetwork[]>
  /** Joins a network and remembers it; rejects with WifiJoinError. */
  connect: (ssid: string, password: string) => Promise<void>
  /** Rejoins a remembered network. */
  reconnect: (ssid: string) => Promise<void>
  isConnected: (ssid: string) => Promise<boolean>
  forget: (ssid: string) => Promise<void>
  startAccessPoint: (ssid: string, password: string) => Promise<AccessPoint>
  stopAccessPoint: () => Promise<void>
}

export interface Screen {
  title: string
  lines: string[]
  /** Text encoded as a QR code beside the lines. */
  qr?: string
}

export interface DisplayDriver {
  show: (screen: Screen) => Promise<void>
}

export type ButtonPress = 'short' | 'long' | 'very-long'

export interface ButtonDriver {
  onPress: (handler: (press: ButtonPress) => void) => void
  close: () => Promise<void>
}

export interface SystemDriver {
  reboot: (delaySeconds: number) => Promise<void>
}

export interface Drivers {
  wifi: WifiDriver
  display: DisplayDriver
  button: ButtonDriver
  system: SystemDriver
}
