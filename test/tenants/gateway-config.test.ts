import t from 'tap'
import { GATEWAY_CONFIG_PATH, GATEWAY_PORT, gatewayConfig } from '../../server/gateway-config.js'

t.test('tenant behind the router: trusted-proxy auth for the owner only', async (t) => {
  const config = gatewayConfig({
    trustedProxies: ['172.20.0.1'],
    allowUsers: ['alice@example.com'],
    allowedOrigins: ['https://alice.apps.example.test']
  })
  t.same(config, {
    gateway: {
      mode: 'local',
      bind: 'lan',
      port: 18789,
      trustedProxies: ['172.20.0.1'],
      auth: {
        mode: 'trusted-proxy',
        identityScopes: { 'alice@example.com': ['operator.admin'] },
        trustedProxy: {
          userHeader: 'x-forwarded-user',
          allowUsers: ['alice@example.com'],
          allowLoopback: false,
          deviceAutoApprove: { enabled: true }
        }
      },
      controlUi: { allowedOrigins: ['https://alice.apps.example.test'] }
    },
    discovery: { mdns: { mode: 'off' } },
    update: { checkOnStart: false }
  })
  t.equal(GATEWAY_PORT, 18789)
  t.equal(GATEWAY_CONFIG_PATH, '/home/node/.openclaw/openclaw.json')
  t.notOk(JSON.stringify(config).includes('token'), 'no shared token alongside trusted-proxy')
})

t.test('box behind the tunnel: loopback proxy, loopback bind', async (t) => {
  const config = gatewayConfig({ trustedProxies: ['127.0.0.1'], allowUsers: ['u_1'], allowLoopback: true, identityScopes: [] })
  t.equal(config.gateway.bind, 'loopback')
  t.equal(config.gateway.auth.trustedProxy.allowLoopback, true)
  t.notOk('identityScopes' in config.gateway.auth, 'no session grant when none asked')
  t.notOk('controlUi' in config.gateway)
})

t.test('options: header, required headers, narrower device scopes', async (t) => {
  const config = gatewayConfig({
    trustedProxies: ['10.0.0.2', '10.0.0.2'],
    allowUsers: [' alice '],
    userHeader: 'X-Auth-Request-Email',
    requiredHeaders: ['X-Forwarded-Proto'],
    deviceAutoApprove: { scopes: ['operator.read'] },
    port: 3000
  })
  t.same(config.gateway.trustedProxies, ['10.0.0.2'], 'deduplicated')
  t.same(config.gateway.auth.trustedProxy.allowUsers, ['alice'], 'trimmed like OpenClaw compares')
  t.equal(config.gateway.auth.trustedProxy.userHeader, 'x-auth-request-email')
  t.same(config.gateway.auth.trustedProxy.requiredHeaders, ['x-forwarded-proto'])
  t.same(config.gateway.auth.trustedProxy.deviceAutoApprove, { enabled: true, scopes: ['operator.read'] })
  t.equal(config.gateway.port, 3000)
  t.same(gatewayConfig({ trustedProxies: ['10.0.0.2'], allowUsers: ['a'], deviceAutoApprove: false }).gateway.auth.trustedProxy.deviceAutoApprove, { enabled: false })
})

t.test('refuses configurations that would open the gateway', async (t) => {
  const ok = { trustedProxies: ['172.20.0.1'], allowUsers: ['alice'] }
  t.throws(() => gatewayConfig({ ...ok, trustedProxies: [] }), /trustedProxies/)
  t.throws(() => gatewayConfig({ ...ok, allowUsers: [] }), /allowUsers.*everyone/)
  t.throws(() => gatewayConfig({ ...ok, allowUsers: [' '] }), /blank/)
  t.throws(() => gatewayConfig({ ...ok, trustedProxies: ['127.0.0.1'] }), /loopback/)
  t.throws(() => gatewayConfig({ ...ok, allowLoopback: true }), /127\.0\.0\.1/)
  t.throws(() => gatewayConfig({ ...ok, deviceAutoApprove: { scopes: ['operator.admin'] } }), /operator\.admin/)
  t.throws(() => gatewayConfig({ ...ok, allowedOrigins: ['*'] }), /exact origins/)
  t.throws(() => gatewayConfig({ ...ok, allowedOrigins: ['https://a.example/path'] }), /not an origin/)
  t.throws(() => gatewayConfig({ ...ok, userHeader: 'bad header' }), /header name/)
  t.throws(() => gatewayConfig({ ...ok, port: 70000 }), /port/)
})
