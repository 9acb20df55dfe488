// The box's local HTTP API, on loopback only: the state machine's state for diagnostics and the
// local UI, the gateway's recent log, and in simulation the button and the Wi-Fi range.
import Fastify from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { Box } from './daemon.js'
import type { SimulatedDrivers } from './drivers/index.js'

export interface LocalApi {
  url: string
  close: () => Promise<void>
}

export async function startLocalApi (box: Box, options: { host: string, port: number, simulate: boolean, claimUrl?: string }): Promise<LocalApi> {
  const app = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>()

  app.get('/api/state', async () => {
    const s = box.snapshot
    return {
      deviceId: box.deviceId ?? null,
      state: s.state,
      since: new Date(s.since).toISOString(),
      seq: s.seq,
      wifi: s.wifi ?? null,
      joining: s.joining ?? null,
      claim: s.claim,
      claimUrl: s.state === 'online-unclaimed' ? options.claimUrl ?? null : null,
      deviceFlow: box.deviceFlow,
      configVersion: s.config?.version ?? null,
      lastError: s.lastError ?? null,
      accessPoint: box.accessPoint === undefined ? null : { ssid: box.accessPoint.ssid, address: box.accessPoint.address },
      cloud: { connected: box.cloud?.connected ?? false },
      gateway: { status: box.gateway?.status ?? 'stopped', restarts: box.gateway?.restarts ?? 0 }
    }
  })
  app.get('/api/gateway/logs', async () => ({ lines: box.gateway?.logs() ?? [] }))

  if (options.simulate) {
    const drivers = box.drivers as SimulatedDrivers
    app.post('/api/simulate/button', {
      schema: { body: Type.Object({ press: Type.Union([Type.Literal('short'), Type.Literal('long'), Type.Literal('very-long')]) }, { additionalProperties: false }) }
    }, async (request, reply) => {
      drivers.button.press(request.body.press)
      return await reply.code(202).send({ press: request.body.press })
    })
    app.post('/api/simulate/wifi', {
      schema: { body: Type.Object({ ssid: Type.String({ minLength: 1 }), inRange: Type.Boolean() }, { additionalProperties: false }) }
    }, async (request) => {
      drivers.wifi.setInRange(request.body.ssid, request.body.inRange)
      return { ssid: request.body.ssid, inRange: request.body.inRange }
    })
  }

  await app.listen({ host: options.host, port: options.port })
  const { port } = app.server.address() as { port: number }
  return { url: `http://${options.host}:${port}`, close: () => app.close() }
}
