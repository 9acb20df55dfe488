// The box's `openclaw.json`: OpenClaw in `trusted-proxy` auth behind the tunnel (ARCHITECTURE §3
// "Routing", OpenClaw's docs/gateway/trusted-proxy-auth.md). The tunnel client reaches the gateway
// over loopback, so the gateway listens on loopback only, trusts 127.0.0.1 as its proxy and needs
// `allowLoopback`; the router overwrites `x-forwarded-user` with the signed-in owner and
// `x-forwarded-for` with a non-loopback client address.
//
// The cloud's `gateway.settings` (desired config) are merged in: that is where the owner-specific
// parts come from (`auth.trustedProxy.allowUsers`, `auth.identityScopes`,
// `controlUi.allowedOrigins`) and any other OpenClaw setting. What keeps the gateway reachable only
// through the tunnel is enforced last and cannot be changed by settings.
import { join } from 'node:path'

export const TUNNEL_PROXY_ADDRESS = '127.0.0.1'
export const USER_HEADER = 'x-forwarded-user'

type Json = Record<string, unknown>

/** Where OpenClaw keeps its state on the box, and the environment that points it there (as Fleet does). */
export function gatewayHome (root: string): { dir: string, configFile: string, env: Record<string, string> } {
  const dir = join(root, 'home')
  const stateDir = join(dir, '.openclaw')
  const configFile = join(stateDir, 'openclaw.json')
  return {
    dir,
    configFile,
    env: {
      HOME: dir,
      OPENCLAW_HOME: dir,
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_CONFIG_PATH: configFile,
      OPENCLAW_WORKSPACE_DIR: join(stateDir, 'workspace'),
      XDG_CACHE_HOME: join(stateDir, 'cache')
    }
  }
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Objects merge key by key; anything else (arrays included) is replaced. */
function merge (base: Json, over: Json): Json {
  const out: Json = { ...base }
  for (const [key, value] of Object.entries(over)) {
    out[key] = isObject(value) && isObject(out[key]) ? merge(out[key], value) : value
  }
  return out
}

export function boxGatewayConfig (port: number, settings: Json = {}): Json {
  const defaults: Json = {
    gateway: {
      mode: 'local',
      auth: { trustedProxy: { deviceAutoApprove: { enabled: true } } }
    },
    discovery: { mdns: { mode: 'off' } },
    // The cloud decides the version (upgrade-gateway); OpenClaw's own updater must not race it.
    update: { checkOnStart: false }
  }
  const enforced: Json = {
    gateway: {
      bind: 'loopback',
      port,
      trustedProxies: [TUNNEL_PROXY_ADDRESS],
      auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: USER_HEADER, allowLoopback: true } }
    }
  }
  const config = merge(merge(defaults, settings), enforced)
  // A shared token beside trusted-proxy makes OpenClaw refuse to start (and would bypass the owner check).
  delete ((config.gateway as Json).auth as Json).token
  return config
}
