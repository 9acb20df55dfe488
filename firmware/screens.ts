// What the display shows in each state: a pure function of the snapshot and what the daemon knows
// at run time (the setup network, the claim link).
import type { DeviceFlowStatus } from './cloud/device-flow.js'
import type { Screen } from './drivers/types.js'
import type { BoxSnapshot } from './state/machine.js'

export interface ScreenContext {
  deviceId?: string
  accessPoint?: { ssid: string, password: string, address: string }
  claimUrl?: string
  gatewayStatus?: string
  /** The device-flow claim code being shown, if any (cloud/device-flow.ts). */
  deviceFlow?: DeviceFlowStatus
}

/** Wi-Fi join QR (the `WIFI:` scheme phones' cameras understand), with `\;,:"` escaped. */
export function wifiQr (ssid: string, password: string): string {
  const esc = (text: string): string => text.replace(/([\\;,:"])/g, '\\$1')
  return `WIFI:T:WPA;S:${esc(ssid)};P:${esc(password)};;`
}

export function screenFor (snapshot: BoxSnapshot, context: ScreenContext): Screen {
  const error = snapshot.lastError === undefined ? [] : [`! ${snapshot.lastError}`]
  switch (snapshot.state) {
    case 'no-credentials':
      return { title: 'Box not provisioned', lines: ['The factory credential file is missing or invalid.', ...error] }
    case 'setup': {
      const ap = context.accessPoint
      if (ap === undefined) return { title: 'Starting setup…', lines: error }
      return {
        title: 'Set up your OpenClaw Box',
        lines: [`1. Scan to join Wi-Fi "${ap.ssid}"`, `   password ${ap.password}`, `2. Open http://${ap.address}/`, ...error],
        qr: wifiQr(ap.ssid, ap.password)
      }
    }
    case 'joining-wifi':
      return { title: 'Connecting…', lines: [`Joining "${snapshot.joining?.ssid ?? ''}"`] }
    case 'online-unclaimed': {
      const flow = context.deviceFlow
      if (flow?.kind === 'waiting') {
        return {
          title: 'Scan to claim this box',
          lines: [`Code: ${flow.code.userCode}`, `or open ${flow.code.verificationUri}`, 'and enter the code.', `Box ${context.deviceId ?? ''}`],
          qr: flow.code.verificationUriComplete
        }
      }
      if (flow?.kind === 'denied') {
        return { title: 'Claim denied', lines: ['The request to claim this box', 'was denied. A new code follows.', `Box ${context.deviceId ?? ''}`] }
      }
      // No code yet (or no cloud): the label's claim code works without one.
      return {
        title: 'Scan to claim this box',
        lines: ['Sign in and enter the code', 'printed on the box label.', `Box ${context.deviceId ?? ''}`],
        ...(context.claimUrl === undefined ? {} : { qr: context.claimUrl })
      }
    }
    case 'claimed':
      return {
        title: 'OpenClaw is ready',
        lines: [snapshot.claim.owner === undefined ? 'Claimed' : `Owner: ${snapshot.claim.owner}`, ...(snapshot.claim.instanceUrl === undefined ? [] : [snapshot.claim.instanceUrl]), `Gateway: ${context.gatewayStatus ?? 'stopped'}`],
        ...(snapshot.claim.instanceUrl === undefined ? {} : { qr: snapshot.claim.instanceUrl })
      }
    case 'offline':
      return { title: 'Offline', lines: [`Retrying "${snapshot.wifi?.ssid ?? ''}"…`, 'Hold the button 3 s to choose another network.'] }
    case 'factory-reset':
      return { title: 'Factory reset…', lines: ['Erasing settings'] }
  }
}

/** The short-press status screen. */
export function statusScreen (snapshot: BoxSnapshot, context: ScreenContext): Screen {
  return {
    title: 'Status',
    lines: [`State: ${snapshot.state}`, `Box: ${context.deviceId ?? 'not provisioned'}`, `Wi-Fi: ${snapshot.wifi?.ssid ?? 'none'}`, `Claimed: ${snapshot.claim.claimed ? 'yes' : 'no'}`, `Gateway: ${context.gatewayStatus ?? 'stopped'}`]
  }
}
