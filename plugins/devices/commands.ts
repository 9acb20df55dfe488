// Box commands (issue 6 "Commands"): created pending and persisted, published QoS 1 on
// `devices/{id}/commands` while the box is connected and subscribed, otherwise when it next
// subscribes (or resumes its session) — until it expires; expired ones are never sent. The box's
// `devices/{id}/commands/{cmdId}/result` moves it to succeeded / failed / expired.
//
// The database, not the broker's session store, is the queue: it survives restarts, holds for boxes
// that connect with a clean session, and lets expiry be enforced at send time. A command is sent at
// most once per live session and is `delivered` once written to it; only a connection lost between
// that write and the box's PUBACK can repeat it on the next session, which QoS 1 allows
// (MQTT 3.1.1 §4.3.2) — the box drops a command id it has already run.
import type { FilterQuery, MikroORM } from '@mikro-orm/core'
import type { FastifyBaseLogger } from 'fastify'
import { randomUUID } from 'node:crypto'
import { COMMAND_NAMES, CommandParams, type Command, type CommandName, type CommandResult } from '../../protocol/payloads.js'
import { check } from '../../protocol/validate.js'
import { DeviceCommand } from './entities.js'
import { InvalidCommand } from './errors.js'
import { gather } from './gather.js'
import { getDevice } from './registry.js'
import { createKeyedQueue } from './serial.js'
import type { CommandCompletion } from './stats.js'

export interface CommandTransport {
  /** True when the box is connected and subscribed to its commands topic. */
  reachable: (deviceId: string) => boolean
  /** The box is not connected here: asks the node that holds it (cluster mode) to deliver. */
  elsewhere: (deviceId: string) => void
  /** Publishes QoS 1 on the box's live session; false when it has none. */
  send: (deviceId: string, command: Command) => Promise<boolean>
}

export interface CommandsOptions {
  orm: MikroORM
  log: FastifyBaseLogger
  transport: CommandTransport
  defaultTtlSeconds: number
  /** Told about each result of a delivered command (for metrics). */
  onCompleted?: (completion: CommandCompletion) => void
  sweepIntervalMs?: number
  now?: () => Date
}

export interface NewCommand {
  deviceId: string
  name: string
  params?: unknown
  ttlSeconds?: number
}

export interface Commands {
  /** Validates and persists the command, and sends it at once when the box is reachable. */
  create: (input: NewCommand) => Promise<DeviceCommand>
  /** `since` hides older commands (an owner sees only those made since they claimed the box). */
  get: (deviceId: string, commandId: string, since?: Date) => Promise<DeviceCommand | null>
  list: (deviceId: string, options?: { limit?: number, since?: Date }) => Promise<DeviceCommand[]>
  /** Sends the box's pending, unexpired commands, oldest first. */
  deliverPending: (deviceId: string) => Promise<void>
  /** Settles an open command with the box's result; resolves to it, or null when no such command was open. */
  recordResult: (deviceId: string, result: CommandResult) => Promise<DeviceCommand | null>
  /** Marks pending commands past their expiry as expired; resolves to how many. */
  expireDue: (deviceId?: string) => Promise<number>
  close: () => Promise<void>
}

const isCommandName = (name: string): name is CommandName => (COMMAND_NAMES as readonly string[]).includes(name)

export function createCommands (options: CommandsOptions): Commands {
  const now = options.now ?? (() => new Date())
  const em = () => options.orm.em.fork()
  const queue = createKeyedQueue()
  // When each command now being written was handed to its session: the box's result can arrive
  // before the `delivered` mark is stored, and its round trip is still measured from the write.
  const writing = new Map<string, Date>()

  const expireDue = async (deviceId?: string): Promise<number> => {
    const at = now()
    return await em().nativeUpdate(DeviceCommand,
      { ...(deviceId === undefined ? {} : { deviceId }), state: 'pending', expiresAt: { $lte: at } },
      { state: 'expired', completedAt: at })
  }

  // Most boxes that (re)subscribe have nothing waiting: one gathered query tells, for every box
  // subscribing in the same turn, before the full read of one box's queue. Plain SQL, as in
  // verifier.ts: asked on every subscribe, the entity manager's ~300 µs a query was most of its cost.
  const hasPending = gather(async (deviceIds) => {
    const { em } = options.orm
    const rows = await em.getConnection().execute(
      "select distinct device_id from device_commands where device_id in (?) and state = 'pending' and expires_at > ?",
      [deviceIds, em.getPlatform().processDateProperty(now())]) as Array<{ device_id: string }>
    return new Map(rows.map((row) => [row.device_id, true]))
  })

  // One delivery run per box at a time, so a command created while the box subscribes is sent once.
  const deliverPending = (deviceId: string): Promise<void> => queue.run(deviceId, async () => {
    if (!options.transport.reachable(deviceId)) return
    if (await hasPending(deviceId) !== true) return
    const pending = await em().find(DeviceCommand, { deviceId, state: 'pending', expiresAt: { $gt: now() } }, { orderBy: { createdAt: 'asc', id: 'asc' } })
    for (const command of pending) {
      if (command.expiresAt <= now()) continue
      const payload = {
        id: command.id,
        name: command.name,
        params: command.params,
        issuedAt: command.createdAt.getTime(),
        expiresAt: command.expiresAt.getTime()
      } as Command
      const deliveredAt = now()
      writing.set(command.id, deliveredAt)
      try {
        if (!(await options.transport.send(deviceId, payload))) return
        await em().nativeUpdate(DeviceCommand, { id: command.id, state: 'pending' }, { state: 'delivered', deliveredAt })
      } finally {
        writing.delete(command.id)
      }
    }
  }).catch((err: unknown) => { options.log.error({ err, deviceId }, 'command delivery failed') })

  const sweep = setInterval(() => {
    expireDue().catch((err: unknown) => { options.log.error({ err }, 'command expiry sweep failed') })
  }, options.sweepIntervalMs ?? 10_000).unref()

  return {
    async create (input) {
      if (!isCommandName(input.name)) throw new InvalidCommand(`unknown command "${input.name}"; commands are ${COMMAND_NAMES.join(', ')}`)
      const params = input.params ?? {}
      const checked = check(CommandParams[input.name], params)
      if (!checked.ok) throw new InvalidCommand(`params${checked.issue.path}: ${checked.issue.message}`)
      const ttl = input.ttlSeconds ?? options.defaultTtlSeconds
      if (!Number.isInteger(ttl) || ttl < 1) throw new InvalidCommand('ttlSeconds must be a positive whole number')
      const fork = em()
      await getDevice(fork, input.deviceId)
      const createdAt = now()
      const command = fork.create(DeviceCommand, {
        id: randomUUID(),
        deviceId: input.deviceId,
        name: input.name,
        params: params as Record<string, unknown>,
        state: 'pending',
        createdAt,
        expiresAt: new Date(createdAt.getTime() + ttl * 1000)
      })
      await fork.flush()
      if (options.transport.reachable(input.deviceId)) await deliverPending(input.deviceId)
      else options.transport.elsewhere(input.deviceId)
      await fork.refresh(command)
      return command
    },

    async get (deviceId, commandId, since) {
      await expireDue(deviceId)
      return await em().findOne(DeviceCommand, { id: commandId, deviceId, ...(since === undefined ? {} : { createdAt: { $gte: since } }) })
    },

    async list (deviceId, { limit = 100, since } = {}) {
      await expireDue(deviceId)
      return await em().find(DeviceCommand, { deviceId, ...(since === undefined ? {} : { createdAt: { $gte: since } }) }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit })
    },

    deliverPending,

    async recordResult (deviceId, result) {
      const open: FilterQuery<DeviceCommand> = { id: result.id, deviceId, state: { $in: ['pending', 'delivered'] } }
      const beingWritten = writing.get(result.id)
      const sent = await em().findOne(DeviceCommand, open, { fields: ['deliveredAt'] })
      const deliveredAt = sent?.deliveredAt ?? beingWritten ?? writing.get(result.id)
      const completedAt = now()
      const updated = await em().nativeUpdate(DeviceCommand, open, { state: result.status, completedAt, message: result.message ?? null, output: result.output ?? null })
      if (updated === 0) {
        options.log.info({ deviceId, commandId: result.id }, 'command result ignored: no such open command')
        return null
      }
      if (deliveredAt != null) options.onCompleted?.({ deviceId, commandId: result.id, status: result.status, roundTripSeconds: (completedAt.getTime() - deliveredAt.getTime()) / 1000 })
      return await em().findOne(DeviceCommand, { id: result.id })
    },

    expireDue,

    async close () {
      clearInterval(sweep)
      await queue.idle()
    }
  }
}
