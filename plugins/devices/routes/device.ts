// Routes the box itself calls, authenticated with its device JWT: its claim status and desired
// config, and its own factory reset (which unclaims it).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Static } from 'typebox'
import { deviceOf, requireDevice } from '../device-auth.js'
import type { Device } from '../entities.js'
import { DeviceStatusView, viewDeviceStatus } from '../schemas.js'

export const deviceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['device']
  const { devices } = app
  app.addHook('onRequest', requireDevice(devices.verifyToken))
  const status = async (device: Device): Promise<Static<typeof DeviceStatusView>> => viewDeviceStatus(device, await devices.claims.desiredConfig(device))

  app.get('/api/device/status', {
    schema: { tags, summary: 'The calling box: whether it is claimed, and its desired config', response: { 200: DeviceStatusView } }
  }, async (request) => await status(await devices.get(deviceOf(request))))

  app.post('/api/device/factory-reset', {
    schema: { tags, summary: 'The calling box was reset to factory state: it loses its owner and can be claimed again', response: { 200: DeviceStatusView } }
  }, async (request) => {
    const device = await devices.claims.factoryReset(deviceOf(request))
    request.log.info({ deviceId: device.id }, 'box reported a factory reset; it is unclaimed')
    return await status(device)
  })
}
