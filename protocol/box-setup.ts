// What the box's setup server (firmware/setup/server.ts) answers on the setup network, shared by
// the daemon and the setup page's script (ui/box-setup).

export const BOX_STATES = ['no-credentials', 'setup', 'joining-wifi', 'online-unclaimed', 'claimed', 'offline', 'factory-reset'] as const
export type BoxState = typeof BOX_STATES[number]

/** A Wi-Fi network as a scan reports it (`GET /api/networks`). */
export interface WifiNetwork {
  ssid: string
  /** 0..100, as NetworkManager reports it. */
  signalPercent: number
  /** `open`, or what the network offers (`WPA2`, `WPA1 WPA2`, `WPA3`...). */
  security: string
}

/** The RFC 8628 device code the box shows while it waits for its owner's approval. */
export interface DeviceFlowView {
  userCode: string
  verificationUri: string
  verificationUriComplete: string
  /** ISO 8601: when the code expires and the box asks for a new one. */
  expiresAt: string
}

/** `GET /api/status`. */
export interface SetupStatus {
  state: BoxState
  lastError?: string
  joining?: string
  deviceId?: string
  claimUrl?: string
  owner?: string
  instanceUrl?: string
  /** The device-flow claim code to show while online and unclaimed. */
  deviceFlow?: DeviceFlowView
}
