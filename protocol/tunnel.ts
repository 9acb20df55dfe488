// The box tunnel (ARCHITECTURE §3 "Tunnel"): the box dials a WebSocket to TUNNEL_PATH on the server
// with its device JWT as a bearer token and runs the HTTP/2 server side over it; the cloud sends one
// HTTP/2 CONNECT stream per proxied connection (RFC 9113 §8.5), always to the box's gateway port.
import { DEVICE_ID_PATTERN, DEVICE_ID_PREFIX } from './device-id.js'

/** Where the box dials, on the server's public URL (`wss://<server>/tunnel`). */
export const TUNNEL_PATH = '/tunnel'

/** Upgrade request header carrying the loopback port of the box's gateway, the only CONNECT target. */
export const TUNNEL_GATEWAY_PORT_HEADER = 'openclaw-gateway-port'

/**
 * The server pings at least this often; a tunnel that has not answered by the next ping is dead and
 * closed. A box that hears nothing for TUNNEL_SILENCE_LIMIT_MS dials again.
 */
export const TUNNEL_PING_INTERVAL_MS = 20_000
export const TUNNEL_SILENCE_LIMIT_MS = 3 * TUNNEL_PING_INTERVAL_MS

/** WebSocket close code (RFC 6455 §7.4.2, private range) for a tunnel a newer one of the same box replaced. */
export const TUNNEL_REPLACED_CLOSE_CODE = 4000

/** Concurrent CONNECT streams per box: the server queues beyond it. */
export const TUNNEL_MAX_STREAMS = 100
/**
 * What the box's HTTP/2 settings allow: twice the server's limit, because a stream the server has
 * finished still counts on the box until the box has seen it close; refusing those (REFUSED_STREAM)
 * makes Node close the whole session after 100 refusals.
 */
export const TUNNEL_BOX_MAX_STREAMS = 2 * TUNNEL_MAX_STREAMS

/**
 * HTTP/2 tuning both ends apply (RFC 9113 §6.9.2, §6.5.2). The default 64 KiB windows cap a tunnel
 * at one window per round trip; Node's default 10 MB session memory limit closes a busy tunnel.
 */
export const TUNNEL_STREAM_WINDOW_BYTES = 1024 * 1024
export const TUNNEL_SESSION_WINDOW_BYTES = 8 * 1024 * 1024
export const TUNNEL_SESSION_MEMORY_MB = 64

/** The authority every CONNECT names: the gateway on the box's loopback interface. */
export const tunnelAuthority = (gatewayPort: number): string => `127.0.0.1:${gatewayPort}`

const BOX_SLUG_PREFIX = DEVICE_ID_PREFIX.replace('_', '-')
const BOX_SLUG_PATTERN = new RegExp(`^${BOX_SLUG_PREFIX}[0-9a-hjkmnp-tv-z]{16}$`)

/**
 * The DNS label a claimed box is reached at (`<slug>.<APPS_DOMAIN>`): its device id, lowercase,
 * with a dash for the underscore. Fixed for the box's life, so the box knows its own URL.
 */
export function boxSlug (deviceId: string): string {
  return deviceId.replace('_', '-').toLowerCase()
}

/** True for labels of the box form; instance names must not take them. */
export function isBoxSlug (slug: string): boolean {
  return BOX_SLUG_PATTERN.test(slug)
}

/** The device id of a box slug, or undefined for any other label. */
export function deviceIdOfBoxSlug (slug: string): string | undefined {
  if (!isBoxSlug(slug)) return undefined
  const id = DEVICE_ID_PREFIX + slug.slice(BOX_SLUG_PREFIX.length).toUpperCase()
  return DEVICE_ID_PATTERN.test(id) ? id : undefined
}
