// The state machine as a table: plain snapshots in, plain snapshots out.
import t from 'tap'
import { initialSnapshot, InvalidTransition, transition, type BoxEvent, type BoxSnapshot } from '../../firmware/state/machine.js'
import { servicesFor } from '../../firmware/state/services.js'

const run = (events: BoxEvent[], from: BoxSnapshot = initialSnapshot(0)): BoxSnapshot =>
  events.reduce((s, event, i) => transition(s, event, 1000 + i), from)
const claimConfig = (version: number, claimed: boolean): BoxEvent => ({ type: 'config-received', config: { version, claim: { claimed, owner: 'ann@example.com' } } })

t.test('first boot goes to setup; a wrong password returns there with the reason', async (t) => {
  const s = run([{ type: 'boot' }, { type: 'wifi-submitted', ssid: 'HomeNet' }, { type: 'wifi-failed', reason: 'Wrong password for "HomeNet"' }])
  t.match(s, { state: 'setup', lastError: 'Wrong password for "HomeNet"' })
  t.notOk('wifi' in s, 'the failed network is not remembered')
  t.equal(s.seq, 3, 'every transition counts')
})

t.test('joining, claiming, losing and regaining the network', async (t) => {
  let s = run([{ type: 'boot' }, { type: 'wifi-submitted', ssid: 'HomeNet' }, { type: 'wifi-joined' }])
  t.match(s, { state: 'online-unclaimed', wifi: { ssid: 'HomeNet' } })
  t.same(servicesFor(s), { accessPoint: false, cloud: true, gateway: false, tunnel: false, deviceFlow: true }, 'online and unclaimed: it asks for a device-flow claim code')
  s = run([claimConfig(1, true)], s)
  t.match(s, { state: 'claimed', claim: { claimed: true, owner: 'ann@example.com' }, config: { version: 1 } })
  t.same(servicesFor(s), { accessPoint: false, cloud: true, gateway: true, tunnel: true, deviceFlow: false }, 'claimed and online: the tunnel makes the gateway reachable')
  t.throws(() => transition(s, claimConfig(1, false), 0), InvalidTransition, 'an old config version is not applied again')
  s = run([{ type: 'wifi-lost' }], s)
  t.match(s, { state: 'offline', offlineSince: 1000 })
  t.same(servicesFor(s), { accessPoint: false, cloud: true, gateway: true, tunnel: false, deviceFlow: false }, 'the gateway keeps running while offline')
  s = run([{ type: 'offline-timeout' }], s)
  t.match(s, { state: 'setup', claim: { claimed: true }, wifi: { ssid: 'HomeNet' } }, 'falls back to setup without losing its claim')
  t.same(servicesFor(s), { accessPoint: true, cloud: false, gateway: true, tunnel: false, deviceFlow: false })
  s = run([{ type: 'wifi-submitted', ssid: 'NewNet' }, { type: 'wifi-joined' }], s)
  t.match(s, { state: 'claimed', wifi: { ssid: 'NewNet' } }, 'a new network brings it straight back to claimed')
})

t.test('booting with a known network rejoins it; failing that it is offline, not in setup', async (t) => {
  const known = run([{ type: 'boot' }, { type: 'wifi-submitted', ssid: 'HomeNet' }, { type: 'wifi-joined' }])
  const rebooted = run([{ type: 'boot' }], known)
  t.match(rebooted, { state: 'joining-wifi', joining: { ssid: 'HomeNet' } })
  t.match(run([{ type: 'wifi-failed', reason: 'not in range' }], rebooted), { state: 'offline' })
})

t.test('resets', async (t) => {
  const claimed = run([{ type: 'boot' }, { type: 'wifi-submitted', ssid: 'HomeNet' }, { type: 'wifi-joined' }, claimConfig(3, true)])
  const wifiReset = run([{ type: 'wifi-reset' }], claimed)
  t.match(wifiReset, { state: 'setup', claim: { claimed: true } }, 'Wi-Fi reset keeps the claim')
  t.notOk('wifi' in wifiReset)
  const resetting = run([{ type: 'factory-reset' }], claimed)
  t.same(servicesFor(resetting), { accessPoint: false, cloud: false, gateway: false, tunnel: false, deviceFlow: false })
  t.match(run([{ type: 'boot' }], resetting), { state: 'factory-reset' }, 'a reset cut short by a power cut resumes on boot')
  const done = run([{ type: 'reset-done' }], resetting)
  t.same({ state: done.state, claim: done.claim, wifi: done.wifi, config: done.config }, { state: 'setup', claim: { claimed: false }, wifi: undefined, config: undefined }, 'back to claimable')
})

t.test('missing credentials and disallowed events', async (t) => {
  const s = run([{ type: 'credentials-missing', reason: 'credential file /x does not exist' }])
  t.match(s, { state: 'no-credentials', lastError: 'credential file /x does not exist' })
  t.throws(() => transition(s, { type: 'wifi-submitted', ssid: 'x' }, 0), { name: 'InvalidTransition', message: 'event wifi-submitted is not allowed in state no-credentials' })
  t.throws(() => transition(initialSnapshot(0), { type: 'wifi-joined' }, 0), InvalidTransition)
})
