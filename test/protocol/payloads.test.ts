import t from 'tap'
import { Command, CommandResult, DesiredConfig, DeviceState, MAX_PAYLOAD_BYTES, Telemetry } from '../../protocol/payloads.js'
import { check, parseJsonPayload } from '../../protocol/validate.js'

const telemetry = {
  ts: 1_700_000_000_000,
  cpu: { percent: 12.5, load1: 0.3 },
  memory: { usedBytes: 1e9, totalBytes: 4e9 },
  disk: { usedBytes: 5e9, totalBytes: 32e9 },
  temperatureC: 48.5,
  gateway: { status: 'running', restarts: 0, version: '2026.1.0' },
  network: { interface: 'wlan0', rxBytes: 10, txBytes: 20, wifiRssiDbm: -55 }
}

t.test('telemetry', async (t) => {
  t.ok(parseJsonPayload(Telemetry, JSON.stringify(telemetry), MAX_PAYLOAD_BYTES).ok)
  t.ok(check(Telemetry, { ...telemetry, futureField: 1 }).ok, 'newer firmware may add fields')
  t.match(check(Telemetry, { ...telemetry, cpu: { percent: 140 } }), { ok: false, issue: { path: '/cpu/percent' } })
  t.match(check(Telemetry, { ...telemetry, gateway: { status: 'running' } }), { ok: false, issue: { path: '/gateway/restarts' } })
  t.match(check(Telemetry, { ...telemetry, gateway: { status: 'dancing', restarts: 1 } }), { ok: false, issue: { path: '/gateway/status' } })
  t.match(parseJsonPayload(Telemetry, '{', MAX_PAYLOAD_BYTES), { ok: false, issue: { message: 'not JSON' } })
  t.match(parseJsonPayload(Telemetry, Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 32), MAX_PAYLOAD_BYTES), { ok: false, issue: { message: /exceeds/ } })
})

t.test('state, config and results', async (t) => {
  t.ok(check(DeviceState, { status: 'offline' }).ok, 'the last will is minimal')
  t.notOk(check(DeviceState, { status: 'sleeping' }).ok)
  t.ok(check(DesiredConfig, { version: 3, claim: { claimed: true, owner: 'ada', instanceUrl: 'https://ada.apps.example' } }).ok)
  t.match(check(DesiredConfig, { version: -1, claim: { claimed: false } }), { ok: false, issue: { path: '/version' } })
  t.ok(check(CommandResult, { id: 'c1', status: 'succeeded', ts: 1 }).ok)
  t.notOk(check(CommandResult, { id: 'c1', status: 'delivered', ts: 1 }).ok, 'delivery is the broker\'s business')
})

t.test('commands: each name checks its own params', async (t) => {
  const base = { id: 'cmd_1', issuedAt: 1, expiresAt: 2 }
  t.ok(check(Command, { ...base, name: 'restart-gateway', params: {} }).ok)
  t.ok(check(Command, { ...base, name: 'upgrade-gateway', params: { version: '2026.2.0' } }).ok)
  t.ok(check(Command, { ...base, name: 'update-config', params: { config: { version: 1, claim: { claimed: false } } } }).ok)
  t.ok(check(Command, { ...base, name: 'upload-logs', params: { uploadUrl: 'https://cloud.example/u/1' } }).ok)
  t.ok(check(Command, { ...base, name: 'reboot', params: { delaySeconds: 5 } }).ok)
  t.ok(check(Command, { ...base, name: 'factory-reset', params: {} }).ok)
  t.match(check(Command, { ...base, name: 'upgrade-gateway', params: {} }), { ok: false, issue: { path: '/params/version' } })
  for (const version of ['2026.9.6', '2026.10.0-beta.1', '1.2.3+build.7']) {
    t.ok(check(Command, { ...base, name: 'upgrade-gateway', params: { version } }).ok, `${version} is an exact version`)
  }
  for (const version of ['latest', '^2026.9.0', '2026.9', '2026.09.6', '../../etc', '2026.9.6 ', 'file:/tmp/x.tgz']) {
    t.match(check(Command, { ...base, name: 'upgrade-gateway', params: { version } }), { ok: false, issue: { path: '/params/version' } }, `${JSON.stringify(version)} is refused`)
  }
  t.notOk(check(Command, { ...base, name: 'self-destruct', params: {} }).ok)
  t.notOk(check(Command, { ...base, id: 'a/b', name: 'reboot', params: {} }).ok, 'ids must fit in a topic level')
})
