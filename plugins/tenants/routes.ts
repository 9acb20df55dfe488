// Tenant routes for signed-in users: their own instances only (admins see any); someone else's
// instance answers 404 exactly like a missing one.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { PassThrough } from 'node:stream'
import Type from 'typebox'
import type { Workers } from '../scheduler/workers.js'
import type { Tenant } from './entities.js'
import { FINAL, type ProgressEvent, type TenantEvents } from './events.js'
import { containerLogs, containerStats } from './runtime.js'
import type { Plans } from './plans.js'
import { DeleteQuery, LogsQuery, NewTenantBody, PlanView, StatsView, TenantParams, TenantView, viewPlan, viewTenant } from './schemas.js'
import type { TenantService } from './service.js'

export interface TenantRoutesOptions {
  service: TenantService
  events: TenantEvents
  workers: Workers
  plans: Plans
  urlOf: (slug: string) => string
}

/** Without in-memory history (e.g. after a server restart), the stream starts from the observed status. */
function fromStatus (tenant: Tenant): ProgressEvent[] {
  const at = tenant.updatedAt.toISOString()
  switch (tenant.status) {
    case 'running': return [{ type: 'routable', at }]
    case 'failed': return [{ type: 'failed', at, reason: tenant.statusReason ?? 'unknown' }]
    case 'stopped': return [{ type: 'stopped', at }]
    case 'deleted': return [{ type: 'deleted', at }]
    default: return []
  }
}

/** The id of the last event a reconnecting EventSource received (its Last-Event-ID header). */
function seenUpTo (header: string | string[] | undefined): number | undefined {
  if (typeof header !== 'string' || !/^\d{1,15}$/.test(header)) return undefined
  return Number(header)
}

export const tenantRoutes = ({ service, events, workers, plans, urlOf }: TenantRoutesOptions): FastifyPluginAsyncTypebox => async (app) => {
  const tags = ['tenants']
  const read = app.requireUser({ scopes: ['tenants:read'] })
  const write = app.requireUser({ scopes: ['tenants:write'], verifiedEmail: true })
  const view = (tenant: Tenant): ReturnType<typeof viewTenant> => viewTenant(tenant, urlOf(tenant.slug))
  const accepted = (reply: FastifyReply, tenant: Tenant): FastifyReply => reply.code(202).send(view(tenant))
  const byId = { params: TenantParams }

  // Public, like a pricing page: a visitor can compare plans before making an account.
  app.get('/api/plans', {
    schema: { tags, summary: 'The plans an instance can be created on, with their limits and prices', response: { 200: Type.Object({ plans: Type.Array(PlanView) }) } }
  }, async () => ({ plans: Object.values(plans).map(viewPlan) }))

  app.post('/api/tenants', {
    onRequest: write,
    schema: { tags, summary: 'Create an instance', body: NewTenantBody, response: { 202: TenantView } }
  }, async (request, reply) => accepted(reply, await service.create(request.user!, { name: request.body.name, plan: request.body.plan ?? 'free' })))

  app.get('/api/tenants', {
    onRequest: read,
    schema: { tags, summary: 'Your instances', response: { 200: Type.Array(TenantView) } }
  }, async (request) => (await service.list(request.user!)).map(view))

  app.get('/api/tenants/:id', {
    onRequest: read,
    schema: { tags, summary: 'One instance', ...byId, response: { 200: TenantView } }
  }, async (request) => view(await service.get(request.user!, request.params.id)))

  for (const action of ['start', 'stop', 'restart'] as const) {
    app.post(`/api/tenants/:id/${action}`, {
      onRequest: write,
      schema: { tags, summary: `${action[0]!.toUpperCase()}${action.slice(1)} an instance`, ...byId, response: { 202: TenantView } }
    }, async (request, reply) => accepted(reply, await service[action](request.user!, request.params.id)))
  }

  app.delete('/api/tenants/:id', {
    onRequest: write,
    schema: { tags, summary: 'Delete an instance; its state volume is kept for the grace period unless purge=true', ...byId, querystring: DeleteQuery, response: { 202: TenantView } }
  }, async (request, reply) => accepted(reply, await service.remove(request.user!, request.params.id, request.query.purge ?? false)))

  app.get('/api/tenants/:id/events', {
    onRequest: read,
    schema: { tags, summary: 'Progress as Server-Sent Events; the stream ends at routable, failed, stopped or deleted', ...byId }
  }, async (request, reply) => {
    const tenant = await service.get(request.user!, request.params.id)
    const history = events.history(tenant.id)
    const seen = seenUpTo(request.headers['last-event-id'])
    const last = history.at(-1)
    // An EventSource reconnects whenever a stream ends. One that already received the final event is
    // told to stop with 204 (HTML Living Standard, server-sent events §9.2.3), instead of being sent
    // the same final event again.
    if (seen !== undefined && last !== undefined && FINAL.has(last.type) && (last.id ?? 0) <= seen) return reply.code(204).send()
    const stream = new PassThrough()
    const send = (event: ProgressEvent): void => {
      const id = event.id === undefined ? '' : `id: ${event.id}\n`
      stream.write(`${id}event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
      if (FINAL.has(event.type)) stream.end()
    }
    // Subscribed before sending history, so nothing falls between the two.
    const unsubscribe = events.subscribe(tenant.id, send)
    stream.on('close', unsubscribe)
    request.raw.on('close', () => { stream.end() })
    const unseen = history.filter((event) => seen === undefined || (event.id ?? 0) > seen)
    for (const event of history.length > 0 ? unseen : fromStatus(tenant)) if (!stream.writableEnded) send(event)
    return reply.header('content-type', 'text/event-stream').header('cache-control', 'no-cache').header('x-accel-buffering', 'no').send(stream)
  })

  app.get('/api/tenants/:id/logs', {
    onRequest: read,
    schema: { tags, summary: 'The gateway\'s output (stdout and stderr) as plain text', ...byId, querystring: LogsQuery }
  }, async (request, reply) => {
    const tenant = await service.get(request.user!, request.params.id)
    const docker = workers.docker(await workers.get(tenant.workerId))
    const stream = await containerLogs(docker, tenant.id, { tail: request.query.tail ?? 200, follow: request.query.follow ?? false })
    request.raw.on('close', () => { stream.destroy() })
    return reply.header('content-type', 'text/plain; charset=utf-8').header('x-accel-buffering', 'no').send(stream)
  })

  app.get('/api/tenants/:id/stats', {
    onRequest: read,
    schema: { tags, summary: 'CPU, memory, network and uptime of the instance now', ...byId, response: { 200: StatsView } }
  }, async (request) => {
    const tenant = await service.get(request.user!, request.params.id)
    return await containerStats(workers.docker(await workers.get(tenant.workerId)), tenant.id)
  })
}
