// Admin routes for boxes: search the registry, revoke (the box is disconnected at once and refused
// everywhere from then on) and restore.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { AdminDevicesQuery, boxUrl, AdminDeviceView, DeviceParams, viewAdminDevice } from '../schemas.js'

export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin', 'devices']
  const { devices } = app
  app.addHook('onRequest', app.requireUser({ scopes: ['admin'] }))
  const view = (device: Parameters<typeof viewAdminDevice>[0]): ReturnType<typeof viewAdminDevice> => viewAdminDevice(device, devices.isOnline(device), boxUrl(app.config, device))

  app.get('/api/admin/devices', {
    schema: { tags, summary: 'Search boxes by part of the id, state, batch or owner; newest first', querystring: AdminDevicesQuery, response: { 200: Type.Object({ devices: Type.Array(AdminDeviceView), total: Type.Integer() }) } }
  }, async (request) => {
    const { devices: found, total } = await devices.search({ ...request.query, limit: request.query.limit ?? 50, offset: request.query.offset ?? 0 })
    return { devices: found.map(view), total }
  })

  app.get('/api/admin/devices/:id', {
    schema: { tags, summary: 'One box, whoever owns it', params: DeviceParams, response: { 200: AdminDeviceView } }
  }, async (request) => view(await devices.get(request.params.id)))

  app.post('/api/admin/devices/:id/revoke', {
    schema: { tags, summary: 'Disconnect the box now and refuse it (MQTT, HTTP, tunnel) until restored', params: DeviceParams, response: { 200: AdminDeviceView } }
  }, async (request) => {
    await devices.revoke(request.params.id)
    request.log.warn({ deviceId: request.params.id, by: request.user?.id }, 'box revoked')
    return view(await devices.get(request.params.id))
  })

  app.post('/api/admin/devices/:id/restore', {
    schema: { tags, summary: 'Accept a revoked box again (claimed if it has an owner)', params: DeviceParams, response: { 200: AdminDeviceView } }
  }, async (request) => {
    await devices.restore(request.params.id)
    request.log.info({ deviceId: request.params.id, by: request.user?.id }, 'box restored')
    return view(await devices.get(request.params.id))
  })
}
