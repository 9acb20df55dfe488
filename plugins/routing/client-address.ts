// The address the router reports upstream in X-Forwarded-For: the peer of the client's connection.
// OpenClaw refuses attribution to a loopback client (trusted-proxy-auth.md, "Runtime rules" 1), yet a
// browser on the server machine itself is a real, signed-in user: it is reported as a fixed
// documentation address (RFC 5737 TEST-NET-1) that no remote client can have.
import { isIP } from 'node:net'

export const LOOPBACK_CLIENT_STAND_IN = '192.0.2.2'

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/

export function clientAddress (remoteAddress: string | undefined): string {
  if (remoteAddress === undefined || isIP(remoteAddress) === 0 || LOOPBACK.test(remoteAddress)) return LOOPBACK_CLIENT_STAND_IN
  return remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress
}
