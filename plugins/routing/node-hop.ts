// The internal hop between server nodes: a request for a box whose tunnel ended on another node is
// proxied there, after single sign-on and the owner check passed on the node the user hit. The hop
// carries a token that only server nodes can make: an HMAC, keyed from the shared server keys, over
// the box and the time, valid for a short while. The public side never gets a hop through without
// it, and clients' own `x-openclaw-*` headers are removed before anything goes upstream.
import { createHmac, hkdfSync } from 'node:crypto'
import { safeEqual } from '../oauth/secrets.js'

export const NODE_HOP_HEADER = 'x-openclaw-node-hop'
/** How far a hop token's time may be from this node's clock: the hop is immediate, clocks drift a little. */
const HOP_VALIDITY_MS = 30_000

export interface NodeHop {
  /** A token for proxying one request for `deviceId` to the node holding its tunnel. */
  sign: (deviceId: string, now?: number) => string
  /** True for a token made by a server node, for this box, recently. */
  verify: (token: string, deviceId: string, now?: number) => boolean
}

export function createNodeHop (secret: Buffer): NodeHop {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'openclaw-cloud routing node hop', 32))
  const mac = (deviceId: string, at: number): string => createHmac('sha256', key).update(`${deviceId}\n${at}`).digest('base64url')
  return {
    sign: (deviceId, now = Date.now()) => `${now}.${mac(deviceId, now)}`,
    verify (token, deviceId, now = Date.now()) {
      const match = /^(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(token)
      if (match === null) return false
      const at = Number(match[1])
      return Math.abs(now - at) <= HOP_VALIDITY_MS && safeEqual(match[2]!, mac(deviceId, at))
    }
  }
}
