// The server side of the fleet bench: one openclaw-cloud app with only the devices plugin, in its
// own process so its RSS is its own. Registers the fleet from a manifest file, then answers the
// parent over IPC: `command` (create one, report when its result is recorded) and `rss`.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { buildApp } from '../../server/app.js'
import { loadConfig } from '../../server/config.js'
import { devices } from '../../plugins/devices/index.js'

const [manifestFile, dataDir] = process.argv.slice(2) as [string, string]
const manifest = JSON.parse(await readFile(manifestFile, 'utf8'))
const config = await loadConfig({
  env: {},
  cwd: dataDir,
  overrides: { dataDir, databaseUrl: `sqlite:${path.join(dataDir, 'bench.sqlite')}`, logLevel: 'warn', mqttHost: '127.0.0.1', mqttPort: 0, port: 0, host: '127.0.0.1', publicUrl: 'http://bench.invalid', mqttPublishRate: 1000, mqttPublishBurst: 10_000 }
})
const app = await buildApp({ config, installed: [devices] })
await app.ready()
await app.devices.registerBatch(manifest)

type Request = { kind: 'command', deviceId: string, seq: number } | { kind: 'rss' } | { kind: 'stop' }
process.on('message', (request: Request) => {
  if (request.kind === 'rss') process.send!({ kind: 'rss', rss: process.memoryUsage().rss })
  if (request.kind === 'command') {
    void app.devices.commands.create({ deviceId: request.deviceId, name: 'restart-gateway' })
      .then((command) => process.send!({ kind: 'command', seq: request.seq, id: command.id }))
  }
  if (request.kind === 'stop') void app.close().then(() => process.exit(0))
})
process.send!({ kind: 'ready', port: app.devices.broker.port })
