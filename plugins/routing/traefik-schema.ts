// The part of Traefik's dynamic configuration (v3, HTTP provider: a JSON document polled from an
// endpoint) that the edge export uses. Field names and types follow Traefik's routing reference:
// routers (rule, service, middlewares, priority, tls, entryPoints), services (loadBalancer.servers
// with url, passHostHeader), middlewares headers (customRequestHeaders: "" deletes a header) and
// forwardAuth (address, trustForwardHeader, authResponseHeaders). Objects are closed: Traefik would
// silently ignore a misspelt field, the test of this schema does not.
import Type from 'typebox'

const Name = Type.String({ pattern: '^[A-Za-z0-9-]+$', description: 'A router, service or middleware name (no @provider suffix)' })
const closed = { additionalProperties: false } as const

const Router = Type.Object({
  rule: Type.String({ pattern: '^(Host|HostRegexp)\\(`[^`]+`\\)$', description: 'Traefik v3 rule syntax' }),
  service: Name,
  middlewares: Type.Optional(Type.Array(Name)),
  entryPoints: Type.Optional(Type.Array(Name)),
  priority: Type.Optional(Type.Integer({ minimum: 1 })),
  tls: Type.Optional(Type.Object({ certResolver: Type.Optional(Type.String()) }, closed))
}, closed)

const Service = Type.Object({
  loadBalancer: Type.Object({
    servers: Type.Array(Type.Object({ url: Type.String({ pattern: '^https?://[^/]+$' }) }, closed), { minItems: 1 }),
    passHostHeader: Type.Optional(Type.Boolean())
  }, closed)
}, closed)

const Middleware = Type.Union([
  Type.Object({ headers: Type.Object({ customRequestHeaders: Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]+$' }), Type.String()) }, closed) }, closed),
  Type.Object({
    forwardAuth: Type.Object({
      address: Type.String({ pattern: '^https?://' }),
      trustForwardHeader: Type.Optional(Type.Boolean()),
      authResponseHeaders: Type.Optional(Type.Array(Type.String()))
    }, closed)
  }, closed)
])

export const TraefikDynamicConfig = Type.Object({
  http: Type.Object({
    routers: Type.Record(Name, Router),
    services: Type.Record(Name, Service),
    middlewares: Type.Record(Name, Middleware)
  }, closed)
}, closed)

export type TraefikDynamicConfig = Type.Static<typeof TraefikDynamicConfig>
