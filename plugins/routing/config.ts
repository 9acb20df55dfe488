// Settings of the routing plugin (the router in front of every instance), part of the server's one config schema.
import Type from 'typebox'
import { TUNNEL_PING_INTERVAL_MS } from '../../protocol/tunnel.js'
import { key } from '../../server/config-key.js'

export const routingConfig = {
  routingUpstreamTimeout: key(Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 120_000 }), {
    env: 'ROUTING_UPSTREAM_TIMEOUT', description: 'Milliseconds an instance may stay silent on a proxied request before the router gives up with a 504 page (WebSockets are not timed).'
  }),
  routingBodyLimit: key(Type.Integer({ minimum: 1024, maximum: 64 * 1024 ** 3, default: 1024 ** 3 }), {
    env: 'ROUTING_BODY_LIMIT', description: 'Largest request body, in bytes, the router streams to an instance; larger uploads get 413. Request headers are limited by Node (16 KiB, 431).'
  }),
  routingSessionTtl: key(Type.Integer({ minimum: 60, maximum: 30 * 86400, default: 12 * 3600 }), {
    env: 'ROUTING_SESSION_TTL', description: 'Seconds an instance host\'s sign-in cookie stays valid before the browser passes through single sign-on again (silently while the console session lasts).'
  }),
  routingSignInPath: key(Type.String({ pattern: '^/[^/\\\\]', default: '/sign-in' }), {
    env: 'ROUTING_SIGN_IN_PATH', allowed: 'a path on the console, e.g. /sign-in', description: 'Console page where a signed-out visitor of an instance signs in; it gets `?returnTo=<URL>` and must send the browser there afterwards.'
  }),
  tunnelBandwidth: key(Type.Integer({ minimum: 0, maximum: 10 * 1024 ** 3, default: 16 * 1024 ** 2 }), {
    env: 'TUNNEL_BANDWIDTH', description: 'Bytes per second one box\'s tunnel may carry, both directions together (a one-second burst is allowed); 0 for no limit. Over it, the box\'s streams slow down through HTTP/2 flow control.'
  }),
  tunnelPingInterval: key(Type.Integer({ minimum: 1000, maximum: TUNNEL_PING_INTERVAL_MS, default: TUNNEL_PING_INTERVAL_MS }), {
    env: 'TUNNEL_PING_INTERVAL', description: 'Milliseconds between the server\'s pings on each box tunnel; a tunnel that has not answered by the next ping is closed and its box shown offline. At most the protocol\'s interval, which boxes count on to notice a dead tunnel.'
  }),
  routingNodeUrl: key(Type.Optional(Type.String({ pattern: '^https?://[^/?#@]+$' })), {
    env: 'ROUTING_NODE_URL', allowed: 'an http(s) origin without a path, e.g. http://10.0.0.2:3000 or http://{hostname}:3000',
    description: 'With several server nodes (REDIS_URL): where the other nodes reach this one on the internal network (`{hostname}` is replaced by this machine\'s host name, for replicas sharing one configuration). A box whose tunnel ended here is then reachable through every node: they look up the node in Redis and proxy its requests here, with a token derived from the shared server keys. Without it, this node\'s tunnels serve only requests that reach this node.'
  }),
  edgeToken: key(Type.Optional(Type.String({ minLength: 32, maxLength: 512 })), {
    env: 'EDGE_TOKEN', secret: true, allowed: 'a random string of at least 32 characters',
    description: 'Bearer token with which an edge proxy (Traefik\'s HTTP provider, a script writing an nginx map) reads `/api/routing/traefik` and `/api/routing/nginx`; admins can read them without it.'
  }),
  edgeRouterUrl: key(Type.Optional(Type.String({ pattern: '^https?://[^/?#@]+$' })), {
    env: 'EDGE_ROUTER_URL', allowed: 'an http(s) origin without a path, e.g. http://10.0.0.2:3000',
    description: 'Where an edge proxy reaches this server: its forward-auth checks and instance hosts that are not running go there. Default: PUBLIC_URL.'
  })
}
