// What must be running in a given snapshot: a pure function, so the daemon converges its services
// to it after every transition (and a test can check the table with plain objects).
import type { BoxSnapshot } from './machine.js'

export interface WantedServices {
  /** The setup access point, its captive DNS. */
  accessPoint: boolean
  /** The MQTT link; kept while offline so it resumes by itself when the network returns. */
  cloud: boolean
  /** The OpenClaw gateway: runs whenever the box is claimed, with or without the cloud. */
  gateway: boolean
  /** The tunnel that makes the gateway reachable at the box's URL: only while claimed and online. */
  tunnel: boolean
  /** Asking for and showing a device-flow claim code (RFC 8628): only while online and unclaimed. */
  deviceFlow: boolean
}

export function servicesFor (snapshot: BoxSnapshot): WantedServices {
  const { state } = snapshot
  return {
    accessPoint: state === 'setup',
    cloud: state === 'online-unclaimed' || state === 'claimed' || state === 'offline',
    gateway: snapshot.claim.claimed && state !== 'factory-reset' && state !== 'no-credentials',
    tunnel: state === 'claimed',
    deviceFlow: state === 'online-unclaimed'
  }
}
