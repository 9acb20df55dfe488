// The box side of the fleet bench: one process holding a slice of the simulated boxes (the bench
// runs several, so 10,000 mqtt.js clients are not one event loop's work). Each box answers every
// command with a `succeeded` result, as a real box does. The parent drives it over IPC:
// `connect` (then subscribe to the box's commands), `publish` (telemetry), `end`.
import mqtt, { type MqttClient } from 'mqtt'
import { commandResultTopic, commandsTopic, telemetryTopic } from '../../protocol/topics.js'

export type BoxesRequest =
  | { kind: 'connect', port: number, ids: string[], passwords: string[] }
  | { kind: 'publish', messages: number }
  | { kind: 'end' }
export interface BoxesReply { kind: BoxesRequest['kind'] }

// Connects in waves, as boxes coming back after an outage would.
const WAVE = 200
let clients: MqttClient[] = []

function answerCommands (client: MqttClient, deviceId: string): void {
  client.on('message', (topic, payload) => {
    if (topic !== commandsTopic(deviceId)) return
    const { id } = JSON.parse(payload.toString()) as { id: string }
    void client.publishAsync(commandResultTopic(deviceId, id), JSON.stringify({ id, status: 'succeeded', ts: Date.now() }), { qos: 1 })
  })
}

async function connect ({ port, ids, passwords }: Extract<BoxesRequest, { kind: 'connect' }>): Promise<void> {
  for (let i = 0; i < ids.length; i += WAVE) {
    clients.push(...await Promise.all(ids.slice(i, i + WAVE).map(async (id, j) => {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        clientId: id, username: id, password: passwords[i + j], reconnectPeriod: 0, keepalive: 300, connectTimeout: 120_000
      })
      answerCommands(client, id)
      await client.subscribeAsync(commandsTopic(id), { qos: 1 })
      return client
    })))
  }
}

async function publish (messages: number): Promise<void> {
  const ts = Date.now()
  await Promise.all(clients.map(async (client) => {
    const deviceId = client.options.clientId!
    for (let m = 0; m < messages; m++) {
      // A distinct sample time per message: every message is a row of the series.
      const telemetry = { ts: ts + m, cpu: { percent: 5 }, memory: { usedBytes: 1, totalBytes: 2 }, disk: { usedBytes: 1, totalBytes: 2 }, gateway: { status: 'running', restarts: 0 } }
      await client.publishAsync(telemetryTopic(deviceId), JSON.stringify(telemetry), { qos: 1 })
    }
  }))
}

process.on('message', (request: BoxesRequest) => {
  const work = request.kind === 'connect'
    ? connect(request)
    : request.kind === 'publish'
      ? publish(request.messages)
      : Promise.all(clients.map((client) => client.endAsync(true))).then(() => { clients = [] })
  work.then(() => process.send!({ kind: request.kind } satisfies BoxesReply), (err: unknown) => {
    console.error(`boxes process: ${request.kind} failed:`, err)
    process.exit(1)
  })
})
