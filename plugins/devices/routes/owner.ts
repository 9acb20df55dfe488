// Routes for box owners: their boxes, telemetry for charts, commands, claiming with the label code,
// releasing and transferring. Someone else's box answers 404 exactly like a missing one; admins
// (scope `admin`) reach every box. `devices:claim` is the scope of every change an owner makes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import Type from 'typebox'
import type { AuthUser } from '../../oauth/types.js'
import type { Device } from '../entities.js'
import { CannotTransferToSelf, DeviceNotFound, RecipientNotFound } from '../errors.js'
import {
  boxUrl, ClaimBody, CommandParams, CommandsQuery, CommandView, DeviceDetailView, DeviceParams, DeviceView, NewCommandBody,
  TelemetryQuery, TelemetrySeriesView, TransferBody, viewCommand, viewDevice, viewLatest
} from '../schemas.js'

const DAY_MS = 86_400_000

function userOf (request: FastifyRequest): AuthUser {
  if (request.user === null) throw new Error('route is missing its requireUser hook')
  return request.user
}

export const ownerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['devices']
  const { devices } = app
  const read = app.requireUser({ scopes: ['devices:read'] })
  const change = app.requireUser({ scopes: ['devices:claim'], verifiedEmail: true })

  // The oauth plugin offers no exact lookup by email; its admin search matches substrings, so the exact match is picked here.
  async function accountWithEmail (email: string): Promise<{ id: string } | null> {
    const wanted = email.trim().toLowerCase()
    const { users } = await app.oauth.adminUsers.list({ email: wanted, limit: 100, offset: 0 })
    return users.find((user) => user.email === wanted) ?? null
  }

  /** The box if this user may see it; otherwise the same 404 as for an id that does not exist. */
  async function visible (request: FastifyRequest, deviceId: string): Promise<Device> {
    const user = userOf(request)
    const device = await devices.find(deviceId)
    if (device === null || (device.ownerId !== user.id && !user.scopes.includes('admin'))) throw new DeviceNotFound(deviceId)
    return device
  }
  /** An owner sees the commands of their own time with the box; admins see all. */
  const commandsSince = (request: FastifyRequest, device: Device): Date | undefined =>
    device.ownerId === userOf(request).id ? device.claimedAt ?? undefined : undefined
  const view = (device: Device): ReturnType<typeof viewDevice> => viewDevice(device, devices.isOnline(device), boxUrl(app.config, device))

  app.get('/api/devices', {
    onRequest: read,
    schema: { tags, summary: 'Your boxes, with online state, last seen and versions', response: { 200: Type.Object({ devices: Type.Array(DeviceView) }) } }
  }, async (request) => ({ devices: (await devices.listOwnedBy(userOf(request).id)).map(view) }))

  app.get('/api/devices/:id', {
    onRequest: read,
    schema: { tags, summary: 'One of your boxes, with its latest telemetry', params: DeviceParams, response: { 200: DeviceDetailView } }
  }, async (request) => {
    const device = await visible(request, request.params.id)
    return { ...view(device), telemetry: viewLatest(await devices.telemetry.latest(device.id)) }
  })

  app.get('/api/devices/:id/telemetry', {
    onRequest: read,
    schema: { tags, summary: 'Telemetry between from and to, downsampled to one point per step (for charts)', params: DeviceParams, querystring: TelemetryQuery, response: { 200: TelemetrySeriesView } }
  }, async (request) => {
    const device = await visible(request, request.params.id)
    const to = request.query.to === undefined ? new Date() : new Date(request.query.to)
    const from = request.query.from === undefined ? new Date(to.getTime() - DAY_MS) : new Date(request.query.from)
    return await devices.telemetry.query(device.id, { from, to, stepSeconds: request.query.step })
  })

  app.post('/api/devices/:id/commands', {
    onRequest: change,
    schema: { tags, summary: 'Send a command; a box that is offline gets it when it reconnects, unless it expires first', params: DeviceParams, body: NewCommandBody, response: { 201: CommandView } }
  }, async (request, reply) => {
    const device = await visible(request, request.params.id)
    const command = await devices.commands.create({ deviceId: device.id, ...request.body })
    return reply.code(201).send(viewCommand(command))
  })

  app.get('/api/devices/:id/commands', {
    onRequest: read,
    schema: { tags, summary: 'Commands of the box, newest first', params: DeviceParams, querystring: CommandsQuery, response: { 200: Type.Object({ commands: Type.Array(CommandView) }) } }
  }, async (request) => {
    const device = await visible(request, request.params.id)
    const commands = await devices.commands.list(device.id, { limit: request.query.limit, since: commandsSince(request, device) })
    return { commands: commands.map(viewCommand) }
  })

  app.get('/api/devices/:id/commands/:cmdId', {
    onRequest: read,
    schema: { tags, summary: 'One command and its result', params: CommandParams, response: { 200: CommandView } }
  }, async (request) => {
    const device = await visible(request, request.params.id)
    const command = await devices.commands.get(device.id, request.params.cmdId, commandsSince(request, device))
    if (command === null) throw new DeviceNotFound(`${device.id} command ${request.params.cmdId}`)
    return viewCommand(command)
  })

  app.post('/api/devices/claim', {
    onRequest: change,
    config: { rateLimit: { max: app.config.claimRateLimit, timeWindow: app.config.claimRateWindow } },
    schema: { tags, summary: 'Claim a box with the device id and claim code on its label', body: ClaimBody, response: { 200: DeviceView } }
  }, async (request) => view(await devices.claims.claimWithCode(userOf(request).id, request.body.deviceId, request.body.code)))

  app.post('/api/devices/:id/release', {
    onRequest: change,
    schema: { tags, summary: 'Give the box up: it loses its owner and can be claimed again with its label code', params: DeviceParams, response: { 200: DeviceView } }
  }, async (request) => view(await devices.claims.release(userOf(request).id, request.params.id)))

  app.post('/api/devices/:id/transfer', {
    onRequest: change,
    // Answers whether an email has an account, so it is limited like the sign-in endpoints.
    config: { rateLimit: { max: app.config.authRateLimit, timeWindow: app.config.authRateWindow } },
    schema: { tags, summary: 'Make another account the owner of the box', params: DeviceParams, body: TransferBody, response: { 200: DeviceView } }
  }, async (request) => {
    const user = userOf(request)
    const device = await visible(request, request.params.id)
    if (device.ownerId !== user.id) throw new DeviceNotFound(request.params.id)
    const recipient = await accountWithEmail(request.body.email)
    if (recipient === null) throw new RecipientNotFound(request.body.email)
    if (recipient.id === user.id) throw new CannotTransferToSelf()
    return view(await devices.claims.transfer(user.id, device.id, recipient.id))
  })
}
