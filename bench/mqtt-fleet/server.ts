// The server side of the fleet bench: one openclaw-cloud app with the devices plugin (and the
// oauth plugin it needs), in its own process so its RSS and CPU are its own. Registers the fleet
// from a manifest file, then answers the parent over IPC: `command` (create one, answer once the
// box's result is recorded), `rss` and `stop`.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { buildApp } from '../../server/app.js'
import { loadConfig } from '../../server/config.js'
import { devices } from '../../plugins/devices/index.js'
import { oauthPlugin } from '../../plugins/oauth/index.js'

export type ServerRequest = { kind: 'command', deviceId: string, ref: string } | { kind: 'rss' } | { kind: 'stop' }
export type ServerReply = { kind: 'ready', port: number } | { kind: 'command', ref: string } | { kind: 'rss', rss: number }

const [manifestFile, dataDir] = process.argv.slice(2) as [string, string]
const manifest = JSON.parse(await readFile(manifestFile, 'utf8'))
const config = await loadConfig({
  env: {},
  cwd: dataDir,
  overrides: { dataDir, databaseUrl: `sqlite:${path.join(dataDir, 'bench.sqlite')}`, logLevel: 'warn', mqttHost: '127.0.0.1', mqttPort: 0, port: 0, host: '127.0.0.1', publicUrl: 'http://bench.invalid', mqttPublishRate: 1000, mqttPublishBurst: 10_000 }
})
const app = await buildApp({ config, installed: [oauthPlugin, devices], uiDir: path.join(dataDir, 'no-ui') })
await app.ready()
await app.devices.registerBatch(manifest)

const reply = (message: ServerReply): void => { process.send!(message) }
// Command id -> the parent's reference, answered when the box's result is recorded. A result can
// be recorded before create() returns the id: those ids are kept in `done` until it does.
const open = new Map<string, string>()
const done = new Set<string>()
app.devices.stats.events.on('commandCompleted', ({ commandId }) => {
  const ref = open.get(commandId)
  if (ref === undefined) { done.add(commandId); return }
  open.delete(commandId)
  reply({ kind: 'command', ref })
})
process.on('message', (request: ServerRequest) => {
  if (request.kind === 'rss') reply({ kind: 'rss', rss: process.memoryUsage().rss })
  if (request.kind === 'command') {
    void app.devices.commands.create({ deviceId: request.deviceId, name: 'restart-gateway' }).then(({ id }) => {
      if (done.delete(id)) reply({ kind: 'command', ref: request.ref })
      else open.set(id, request.ref)
    })
  }
  if (request.kind === 'stop') void app.close().then(() => process.exit(0))
})
reply({ kind: 'ready', port: app.devices.broker.port })
