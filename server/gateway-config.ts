// OpenClaw gateway configuration for an instance behind the openclaw-cloud router (ARCHITECTURE §3
// "Routing"). Pure: options in, the JSON object for `openclaw.json` out. Write it to
// GATEWAY_CONFIG_PATH inside the container (the state dir mounted at /home/node/.openclaw).
//
// Rules this encodes, from OpenClaw's docs/gateway/trusted-proxy-auth.md (2026.9.x):
// - `gateway.auth.mode: "trusted-proxy"`: the router authenticates users and sends the identity in
//   `trustedProxy.userHeader`; the gateway trusts it only from `gateway.trustedProxies`, never from
//   loopback unless `trustedProxy.allowLoopback` (and the loopback address is also listed), and
//   never from one of its own interface addresses.
// - `allowUsers` is compared exactly with the trimmed header value: pass the immutable identity the
//   router puts in the header (the owner), not a mutable display name.
// - `deviceAutoApprove` enrols the owner's browser without a manual pairing step; its scopes must
//   not include `operator.admin` (OpenClaw flags that CRITICAL). Admin for the owner's session
//   comes from `identityScopes` instead, which is session-only.
// - Non-loopback Control UI needs explicit `gateway.controlUi.allowedOrigins`.
// - A shared token (`gateway.auth.token` / OPENCLAW_GATEWAY_TOKEN) must not be set alongside.

/** Port the gateway listens on inside the container (OpenClaw's default, also Fleet's). */
export const GATEWAY_PORT = 18789
/** OpenClaw's state directory in the image (HOME=/home/node); mount the tenant volume here. */
export const GATEWAY_STATE_DIR = '/home/node/.openclaw'
/** Where the gateway reads its config: `$OPENCLAW_STATE_DIR/openclaw.json`. */
export const GATEWAY_CONFIG_PATH = `${GATEWAY_STATE_DIR}/openclaw.json`
/** Header the router sets to the signed-in user. */
export const DEFAULT_USER_HEADER = 'x-forwarded-user'

export type OperatorScope =
  | 'operator.admin'
  | 'operator.read'
  | 'operator.write'
  | 'operator.approvals'
  | 'operator.questions'
  | 'operator.pairing'
  | 'operator.talk.secrets'

/** OpenClaw's default `deviceAutoApprove.scopes`. */
export const DEFAULT_DEVICE_SCOPES: readonly OperatorScope[] = ['operator.read', 'operator.write', 'operator.approvals', 'operator.questions']

export interface GatewayConfigOptions {
  /** Addresses (or CIDRs) the router's requests arrive from. Keep it minimal: one address. */
  trustedProxies: string[]
  /** Identities (values of the user header) allowed in: the instance owner. */
  allowUsers: string[]
  /** Browser origins of the Control UI, e.g. `https://<slug>.<apps-domain>`. */
  allowedOrigins?: string[]
  /** Header carrying the identity; default `x-forwarded-user`. */
  userHeader?: string
  /** Headers that must also be present (proxy evidence), e.g. `x-forwarded-proto`. */
  requiredHeaders?: string[]
  /** Box setup: the tunnel client reaches the gateway over loopback. Requires a loopback address in trustedProxies. */
  allowLoopback?: boolean
  /** Listener: `lan` (0.0.0.0, containers; the default) or `loopback` (boxes). */
  bind?: 'lan' | 'loopback'
  port?: number
  /** Enrol the allowed users' browsers automatically (default true), optionally with narrower scopes. */
  deviceAutoApprove?: boolean | { scopes: OperatorScope[] }
  /** Session scopes granted to every allowed user (default `['operator.admin']`); `[]` for none. */
  identityScopes?: OperatorScope[]
  /** LAN mDNS advertising; off by default (nothing on a tenant bridge should discover it). */
  mdns?: 'off' | 'minimal' | 'full'
  /** OpenClaw's own update check on start; off by default (the image pins the version). */
  updateCheckOnStart?: boolean
}

export interface OpenClawGatewayConfig {
  gateway: {
    mode: 'local'
    bind: 'lan' | 'loopback'
    port: number
    trustedProxies: string[]
    auth: {
      mode: 'trusted-proxy'
      identityScopes?: Record<string, OperatorScope[]>
      trustedProxy: {
        userHeader: string
        requiredHeaders?: string[]
        allowUsers: string[]
        allowLoopback: boolean
        deviceAutoApprove: { enabled: boolean, scopes?: OperatorScope[] }
      }
    }
    controlUi?: { allowedOrigins: string[] }
  }
  discovery: { mdns: { mode: 'off' | 'minimal' | 'full' } }
  update: { checkOnStart: boolean }
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.|localhost$)/i
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i

function nonBlank (list: string[], what: string): string[] {
  const out = list.map((item) => item.trim())
  if (out.some((item) => item === '')) throw new TypeError(`${what} must not contain blank entries`)
  return [...new Set(out)]
}

/** Builds the `openclaw.json` object for a tenant gateway behind the router. Throws TypeError on bad input. */
export function gatewayConfig (options: GatewayConfigOptions): OpenClawGatewayConfig {
  const trustedProxies = nonBlank(options.trustedProxies, 'trustedProxies')
  if (trustedProxies.length === 0) throw new TypeError('trustedProxies must name at least one proxy address')
  const allowUsers = nonBlank(options.allowUsers, 'allowUsers')
  // An empty allowUsers means "any authenticated user" to OpenClaw: never what a tenant wants.
  if (allowUsers.length === 0) throw new TypeError('allowUsers must name at least one user (empty means everyone)')
  const allowLoopback = options.allowLoopback ?? false
  const loopbackProxies = trustedProxies.filter((proxy) => LOOPBACK.test(proxy))
  if (loopbackProxies.length > 0 && !allowLoopback) {
    throw new TypeError(`trustedProxies ${loopbackProxies.join(', ')} are loopback: set allowLoopback (box setups only)`)
  }
  if (allowLoopback && loopbackProxies.length === 0) {
    throw new TypeError('allowLoopback needs the loopback address (127.0.0.1) in trustedProxies too')
  }
  const userHeader = (options.userHeader ?? DEFAULT_USER_HEADER).trim().toLowerCase()
  if (!HEADER_NAME.test(userHeader)) throw new TypeError(`userHeader ${JSON.stringify(userHeader)} is not a valid header name`)
  const port = options.port ?? GATEWAY_PORT
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TypeError(`port ${port} is out of range`)

  const auto = options.deviceAutoApprove ?? true
  const deviceAutoApprove: { enabled: boolean, scopes?: OperatorScope[] } = typeof auto === 'boolean'
    ? { enabled: auto }
    : { enabled: true, scopes: [...new Set(auto.scopes)] }
  if (deviceAutoApprove.scopes?.includes('operator.admin')) {
    throw new TypeError('deviceAutoApprove.scopes must not include operator.admin (grant it through identityScopes)')
  }

  const sessionScopes: OperatorScope[] = [...new Set(options.identityScopes ?? ['operator.admin' as const])]
  const trustedProxy: OpenClawGatewayConfig['gateway']['auth']['trustedProxy'] = {
    userHeader,
    allowUsers,
    allowLoopback,
    deviceAutoApprove
  }
  if (options.requiredHeaders && options.requiredHeaders.length > 0) {
    trustedProxy.requiredHeaders = nonBlank(options.requiredHeaders, 'requiredHeaders').map((h) => h.toLowerCase())
  }
  const auth: OpenClawGatewayConfig['gateway']['auth'] = { mode: 'trusted-proxy', trustedProxy }
  if (sessionScopes.length > 0) {
    auth.identityScopes = Object.fromEntries(allowUsers.map((user) => [user, [...sessionScopes]]))
  }

  const gateway: OpenClawGatewayConfig['gateway'] = {
    mode: 'local',
    bind: options.bind ?? (allowLoopback ? 'loopback' : 'lan'),
    port,
    trustedProxies,
    auth
  }
  const origins = nonBlank(options.allowedOrigins ?? [], 'allowedOrigins')
  for (const origin of origins) {
    if (origin === '*') throw new TypeError('allowedOrigins must list exact origins, not *')
    let parsed: URL
    try { parsed = new URL(origin) } catch { throw new TypeError(`allowedOrigins entry ${JSON.stringify(origin)} is not an origin`) }
    if (parsed.origin !== origin) throw new TypeError(`allowedOrigins entry ${JSON.stringify(origin)} is not an origin (expected ${parsed.origin})`)
  }
  if (origins.length > 0) gateway.controlUi = { allowedOrigins: origins }

  return {
    gateway,
    discovery: { mdns: { mode: options.mdns ?? 'off' } },
    update: { checkOnStart: options.updateCheckOnStart ?? false }
  }
}

/** What the owner changes in a gateway's config: who is let in (with admin for the session) and from which origin. */
export interface OwnerGatewaySettings {
  auth: {
    trustedProxy: { allowUsers: string[] }
    identityScopes?: Record<string, OperatorScope[]>
  }
  controlUi?: { allowedOrigins: string[] }
}

/**
 * The owner's part of `gatewayConfig` alone, for a box: the box enforces the rest itself
 * (loopback bind, its trusted proxy) and deep-merges these into its own `openclaw.json`.
 * `owner` is the identity the router sends in `x-forwarded-user`; `origin` the box's URL.
 */
export function ownerGatewaySettings (owner: string, origin: string): OwnerGatewaySettings {
  const { gateway } = gatewayConfig({ trustedProxies: ['127.0.0.1'], allowLoopback: true, allowUsers: [owner], allowedOrigins: [origin] })
  const settings: OwnerGatewaySettings = { auth: { trustedProxy: { allowUsers: gateway.auth.trustedProxy.allowUsers } } }
  if (gateway.auth.identityScopes !== undefined) settings.auth.identityScopes = gateway.auth.identityScopes
  if (gateway.controlUi !== undefined) settings.controlUi = gateway.controlUi
  return settings
}
