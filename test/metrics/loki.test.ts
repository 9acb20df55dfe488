// Log shipping to Loki: with LOKI_URL set, the server's lines reach Loki's push API with the labels
// app, env and level, credentials from the URL as basic auth, and secrets redacted on the way.
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { startLokiReceiver } from '../helpers/loki.js'
import { waitFor } from '../devices/helpers.js'

t.test('log lines reach Loki labelled and with secrets redacted', async (t) => {
  const loki = await startLokiReceiver(t)
  const url = new URL(loki.url)
  url.username = 'tenant-1'
  url.password = 'p@ss word'
  const app = await buildTestApp(t, { config: { logLevel: 'info', lokiUrl: url.toString(), lokiEnvironment: 'staging' } })
  await app.ready()

  t.equal((await app.inject({ url: '/health?token=query-secret-123', headers: { authorization: 'Bearer header-secret-456', cookie: 'oc_session=cookie-secret-789' } })).statusCode, 200)
  app.log.warn({ password: 'password-secret-abc', account: { refreshToken: 'refresh-secret-def' }, deviceId: 'ocb_0123456789ABCDEF' }, 'something to look at')

  await waitFor('the lines in Loki', () => loki.lines().some(({ line }) => line.includes('something to look at')), 15_000)
  const lines = loki.lines()
  const warning = lines.find(({ line }) => line.includes('something to look at'))!
  t.match(warning.labels, { app: 'openclaw-cloud', env: 'staging', level: 'warning' })
  t.match(JSON.parse(warning.line), { msg: 'something to look at', password: '[redacted]', account: { refreshToken: '[redacted]' }, deviceId: 'ocb_0123456789ABCDEF' })
  const request = lines.find(({ line }) => line.includes('incoming request'))
  t.ok(request, 'request lines are shipped too')
  t.match(request!.labels, { app: 'openclaw-cloud', env: 'staging', level: 'info' })
  t.match(JSON.parse(request!.line), { req: { method: 'GET', url: '/health?token=%5Bredacted%5D' } })

  const everything = JSON.stringify(loki.pushes)
  for (const secret of ['query-secret-123', 'header-secret-456', 'cookie-secret-789', 'password-secret-abc', 'refresh-secret-def']) {
    t.notOk(everything.includes(secret), `${secret} never reaches Loki`)
  }
  const labelNames = new Set(lines.flatMap(({ labels }) => Object.keys(labels)))
  t.same([...labelNames].sort(), ['app', 'env', 'hostname', 'level'], 'a few bounded labels: no request or device ids')
  t.equal(loki.pushes[0]!.authorization, `Basic ${Buffer.from('tenant-1:p@ss word').toString('base64')}`)
})

t.test('the stand-in refuses what it cannot read, as Loki would answer an unknown format', async (t) => {
  const loki = await startLokiReceiver(t)
  const protobuf = await fetch(`${loki.url}/loki/api/v1/push`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from([0x0a, 0x00]) })
  t.equal(protobuf.status, 415)
  t.equal((await fetch(`${loki.url}/loki/api/v1/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })).status, 400)
})
