// Settings of the metrics plugin (who may scrape /metrics) and of log shipping to Loki, part of the server's one config schema.
import Type from 'typebox'
import { key } from '../../server/config-key.js'

export const metricsConfig = {
  metricsToken: key(Type.Optional(Type.String({ minLength: 16 })), {
    env: 'METRICS_TOKEN', secret: true, allowed: 'a string of at least 16 characters',
    description: 'Bearer token that lets a scraper (Prometheus `authorization: credentials`) read `/metrics` from any address.'
  }),
  metricsAllow: key(Type.Array(Type.String({ minLength: 1 }), { default: ['127.0.0.1', '::1'] }), {
    env: 'METRICS_ALLOW', allowed: 'IP addresses or CIDR ranges (e.g. 10.0.0.0/8), comma-separated in the environment',
    description: 'Client addresses that may read `/metrics` without the token. Default: loopback only.'
  }),
  lokiUrl: key(Type.Optional(Type.String({ pattern: '^https?://[^?#]+$' })), {
    env: 'LOKI_URL', secret: true, allowed: 'an http(s) URL of Loki, e.g. http://loki:3100 (user:password@ for basic auth)',
    description: 'Also ship log lines to this Loki (push API `/loki/api/v1/push`), labelled `app`, `env`, `level`. Stdout logging stays.'
  }),
  lokiEnvironment: key(Type.String({ pattern: '^[A-Za-z0-9._-]{1,32}$', default: 'production' }), {
    env: 'LOKI_ENV', allowed: '1-32 letters, digits, dots, dashes or underscores',
    description: 'Value of the `env` label on log lines shipped to Loki.'
  })
}
