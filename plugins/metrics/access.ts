// Who may read /metrics: a scraper presenting the bearer token, or a client address on the allow-list.
import createError from '@fastify/error'
import type { onRequestHookHandler } from 'fastify'
import { timingSafeEqual, createHash } from 'node:crypto'
import net from 'node:net'

export const MetricsForbidden = createError('METRICS_FORBIDDEN', '%s', 403)
export const MetricsUnauthorized = createError('METRICS_UNAUTHORIZED', '%s', 401)

export interface MetricsAccess {
  token?: string
  /** IP addresses or CIDR ranges. */
  allow: string[]
}

/** Builds the allow-list once; a malformed entry stops start-up with the entry named. */
export function allowList (entries: string[]): net.BlockList {
  const list = new net.BlockList()
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined]
    const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined
    const bits = prefix === undefined ? undefined : Number(prefix)
    const maxBits = family === 'ipv4' ? 32 : 128
    if (family === undefined || (bits !== undefined && !(Number.isInteger(bits) && bits >= 0 && bits <= maxBits))) {
      throw new Error(`METRICS_ALLOW entry "${entry}" is not an IP address or CIDR range`)
    }
    if (bits === undefined) list.addAddress(address, family)
    else list.addSubnet(address, bits, family)
  }
  return list
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest()

export function metricsGate (access: MetricsAccess): onRequestHookHandler {
  const allowed = allowList(access.allow)
  const expected = access.token === undefined ? undefined : digest(access.token)
  return async (request, reply) => {
    const auth = request.headers.authorization
    if (expected !== undefined && auth?.startsWith('Bearer ') === true && timingSafeEqual(digest(auth.slice(7)), expected)) return
    const ip = request.ip.startsWith('::ffff:') ? request.ip.slice(7) : request.ip
    if (allowed.check(ip, net.isIPv4(ip) ? 'ipv4' : 'ipv6')) return
    if (expected === undefined) throw new MetricsForbidden(`Address ${ip} may not read /metrics; add it to METRICS_ALLOW, or set METRICS_TOKEN and send it as a bearer token`)
    reply.header('www-authenticate', 'Bearer realm="metrics"')
    throw new MetricsUnauthorized(`Send METRICS_TOKEN as "Authorization: Bearer <token>" to read /metrics from ${ip}, or add the address to METRICS_ALLOW`)
  }
}
