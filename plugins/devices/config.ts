// Settings of the devices plugin (the embedded MQTT broker, box telemetry and commands), part of the server's one config schema.
import Type from 'typebox'
import { GATEWAY_VERSION_PATTERN } from '../../protocol/payloads.js'
import { key } from '../../server/config-key.js'

export const devicesConfig = {
  mqttHost: key(Type.String({ minLength: 1, default: '0.0.0.0' }), {
    env: 'MQTT_HOST', description: 'Address the MQTT broker listens on (plain TCP and TLS). MQTT over WebSocket is served at `/mqtt` on the HTTP server.'
  }),
  mqttPort: key(Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })), {
    env: 'MQTT_PORT', description: 'TCP port of the MQTT broker for boxes. 0 picks a free port. Default: 1883, or a free port (logged) when another broker already holds 1883; a port set here must be free.'
  }),
  mqttTlsPort: key(Type.Integer({ minimum: 0, maximum: 65535, default: 8883 }), {
    env: 'MQTT_TLS_PORT', description: 'Port of MQTT over TLS; it listens only when `MQTT_TLS_CERT` and `MQTT_TLS_KEY` are set. 0 picks a free port.'
  }),
  mqttTlsCert: key(Type.Optional(Type.String({ minLength: 1 })), {
    env: 'MQTT_TLS_CERT', allowed: 'a file path', description: 'PEM certificate chain for MQTT over TLS.'
  }),
  mqttTlsKey: key(Type.Optional(Type.String({ minLength: 1 })), {
    env: 'MQTT_TLS_KEY', allowed: 'a file path', description: 'PEM private key for MQTT over TLS.'
  }),
  mqttMaxPayload: key(Type.Integer({ minimum: 256, maximum: 64 * 1024, default: 64 * 1024 }), {
    env: 'MQTT_MAX_PAYLOAD_BYTES', description: 'Largest payload a box may publish; a larger one is dropped and counted, the box stays connected.'
  }),
  mqttPublishRate: key(Type.Number({ minimum: 0.1, maximum: 10_000, default: 10 }), {
    env: 'MQTT_PUBLISH_RATE', allowed: 'a number from 0.1 to 10000', description: 'Messages per second one box may publish on average; a box that exceeds it beyond `MQTT_PUBLISH_BURST` is disconnected.'
  }),
  mqttPublishBurst: key(Type.Integer({ minimum: 1, maximum: 100_000, default: 50 }), {
    env: 'MQTT_PUBLISH_BURST', description: 'Messages one box may publish back to back before `MQTT_PUBLISH_RATE` applies.'
  }),
  telemetryRetentionDays: key(Type.Integer({ minimum: 1, maximum: 3650, default: 30 }), {
    env: 'TELEMETRY_RETENTION_DAYS', description: 'Days of box telemetry history kept; older samples are deleted hourly. The latest sample per box is always kept.'
  }),
  commandTtlSeconds: key(Type.Integer({ minimum: 1, maximum: 30 * 86_400, default: 86_400 }), {
    env: 'COMMAND_TTL_SECONDS', description: 'Default lifetime of a box command; a command not delivered by then expires and never runs.'
  }),
  claimMaxFailures: key(Type.Integer({ minimum: 1, maximum: 1000, default: 20 }), {
    env: 'CLAIM_MAX_FAILURES', description: 'Wrong label claim codes in a row after which a box refuses claims for `CLAIM_LOCKOUT_WINDOW`, doubling with each further failure (up to 64 times).'
  }),
  claimLockoutWindow: key(Type.Integer({ minimum: 100, maximum: 86_400_000, default: 900_000 }), {
    env: 'CLAIM_LOCKOUT_WINDOW', description: 'First claim lockout of a box, in milliseconds.'
  }),
  claimRateLimit: key(Type.Integer({ minimum: 1, maximum: 100_000, default: 30 }), {
    env: 'CLAIM_RATE_LIMIT', description: 'Claim attempts one client address may make per `CLAIM_RATE_WINDOW`, whatever the box.'
  }),
  claimRateWindow: key(Type.Integer({ minimum: 100, maximum: 86_400_000, default: 60_000 }), {
    env: 'CLAIM_RATE_WINDOW', description: 'Window of `CLAIM_RATE_LIMIT`, in milliseconds.'
  }),
  deviceClaimPollInterval: key(Type.Integer({ minimum: 1, maximum: 60, default: 5 }), {
    env: 'DEVICE_CLAIM_POLL_INTERVAL', description: 'Seconds a box waits between polls while its device-flow claim code awaits approval (RFC 8628 `interval`); polling faster is answered `slow_down`.'
  }),
  boxGatewayVersion: key(Type.String({ pattern: GATEWAY_VERSION_PATTERN.source, maxLength: 64, default: '2026.9.6' }), {
    env: 'BOX_GATEWAY_VERSION', allowed: 'an exact OpenClaw version, e.g. 2026.9.6',
    description: 'OpenClaw version every box runs: sent in its desired config (`gateway.version`); a box whose installed version differs (or that has none) installs it and switches to it. Default: the version of the tenant image.'
  }),
  redisUrl: key(Type.Optional(Type.String({ pattern: '^rediss?://.+' })), {
    env: 'REDIS_URL', secret: true, allowed: 'a redis:// or rediss:// URL',
    description: 'Redis shared by several server processes: with it they form one MQTT broker (`mqemitter-redis`, sessions and retained messages in `aedes-persistence-redis`), so a box connected to any node gets commands sent through any other.'
  })
}
