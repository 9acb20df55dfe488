// What the router sends upstream about who is asking (docs/openclaw-gateway.md, OpenClaw's
// docs/gateway/trusted-proxy-auth.md "Runtime rules"): client-sent identity and forwarding headers are
// removed, then `x-forwarded-user` (the owner), `x-forwarded-for` (the peer address, never a chain
// from the client), `-proto` and `-host` are set; hop-by-hop headers (RFC 9110 §7.6.1) never cross.
import type { IncomingHttpHeaders } from 'node:http'

/** Header names a client could use to claim an identity or a forwarding chain. */
export const IDENTITY_HEADERS: ReadonlySet<string> = new Set([
  'forwarded', 'x-real-ip', 'x-client-ip', 'true-client-ip', 'cf-connecting-ip', 'x-cluster-client-ip',
  'remote-user', 'x-remote-user', 'x-user', 'x-email', 'x-authenticated-user'
])
const IDENTITY_PREFIXES = ['x-forwarded-', 'x-auth-request-', 'x-openclaw-']

/** Hop-by-hop headers of a plain request; an upgrade keeps `connection` and `upgrade`. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']

export const USER_HEADER = 'x-forwarded-user'

export function isIdentityHeader (name: string): boolean {
  return IDENTITY_HEADERS.has(name) || IDENTITY_PREFIXES.some((prefix) => name.startsWith(prefix))
}

/** Names a `Connection` header lists, which are hop-by-hop too. */
function connectionListed (headers: IncomingHttpHeaders): string[] {
  const value = headers.connection
  return typeof value === 'string' ? value.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '') : []
}

export interface Forwarding {
  /** The signed-in owner's identity, as the gateway's `allowUsers` holds it. */
  user: string
  /** The peer address of the client's connection to the router. */
  clientAddress: string
  proto: 'http' | 'https'
  host: string
  /** Cookie names the router itself uses on instance hosts; they never reach the instance. */
  ownCookies: ReadonlySet<string>
  /** The Bearer credential was ours (an API token): it does not go upstream either. */
  dropAuthorization: boolean
  upgrade: boolean
}

/** Rewrites `headers` in place for the upstream request. */
export function rewriteRequestHeaders (headers: IncomingHttpHeaders, forwarding: Forwarding): void {
  // `transfer-encoding` tells the proxy engine that the request has a body; the engine frames
  // bodies itself and never forwards it (proxy.ts).
  const keep = (name: string): boolean => name === 'transfer-encoding' || (forwarding.upgrade && (name === 'connection' || name === 'upgrade'))
  const listed = connectionListed(headers)
  for (const name of Object.keys(headers)) {
    if (isIdentityHeader(name) || (listed.includes(name) && !keep(name))) delete headers[name]
  }
  for (const name of HOP_BY_HOP) if (!keep(name)) delete headers[name]
  if (forwarding.upgrade) headers.connection = 'upgrade'
  if (forwarding.dropAuthorization) delete headers.authorization
  if (headers.cookie !== undefined) {
    const kept = headers.cookie.split(';').map((pair) => pair.trim()).filter((pair) => pair !== '' && !forwarding.ownCookies.has(pair.split('=', 1)[0]!))
    if (kept.length > 0) headers.cookie = kept.join('; ')
    else delete headers.cookie
  }
  headers[USER_HEADER] = forwarding.user
  headers['x-forwarded-for'] = forwarding.clientAddress
  headers['x-forwarded-proto'] = forwarding.proto
  headers['x-forwarded-host'] = forwarding.host
}

/** Drops hop-by-hop headers from an instance's answer (the connection to the browser is ours, and Node frames its body). */
export function stripResponseHopByHop (headers: IncomingHttpHeaders, keepUpgrade: boolean): void {
  for (const name of connectionListed(headers)) delete headers[name]
  for (const name of HOP_BY_HOP) {
    if (keepUpgrade && (name === 'connection' || name === 'upgrade')) continue
    delete headers[name]
  }
}
