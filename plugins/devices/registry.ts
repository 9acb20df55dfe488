// The box registry: pre-registering factory batches (idempotent per device id), looking boxes up,
// revoking and restoring them. Used by the factory API, the admin pages and the device verifier.
import type { EntityManager } from '@mikro-orm/core'
import Type, { type Static } from 'typebox'
import { DEVICE_ID_PATTERN } from '../../protocol/device-id.js'
import { importPublicKey } from '../../protocol/device-keys.js'
import { Batch, Device, DEVICE_STATES, type DeviceLifecycle } from './entities.js'
import { BatchConflict, BatchNotFound, DeviceNotFound } from './errors.js'

/** What the factory sends: its manifest (factory/batch/manifest.ts) without the URLs. */
export const BatchRegistration = Type.Object({
  batchId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
  model: Type.String({ minLength: 1, maxLength: 64 }),
  devices: Type.Array(Type.Object({
    deviceId: Type.String({ pattern: DEVICE_ID_PATTERN.source }),
    publicKey: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
    claimCodeHash: Type.String({ pattern: '^scrypt\\$', maxLength: 256 })
  }, { additionalProperties: false }), { minItems: 1, maxItems: 20_000 })
})
export type BatchRegistration = Static<typeof BatchRegistration>

export interface Conflict { deviceId: string, reason: string }

export interface RegistrationOutcome {
  batchId: string
  created: string[]
  unchanged: string[]
  conflicting: Conflict[]
}

// Keeps each `IN (...)` list well under SQLite's and PostgreSQL's bound-parameter limits.
const CHUNK = 500

function chunks<T> (items: readonly T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK))
  return out
}

/**
 * Pre-registers a batch. Per device id: new -> created; same key, batch and code hash -> unchanged;
 * anything else already stored under that id -> conflicting (left as it is). Sending the same
 * manifest again is therefore harmless. Runs in one transaction.
 */
export async function registerBatch (em: EntityManager, input: BatchRegistration): Promise<RegistrationOutcome> {
  const outcome: RegistrationOutcome = { batchId: input.batchId, created: [], unchanged: [], conflicting: [] }
  const seen = new Set<string>()
  for (const device of input.devices) {
    if (seen.has(device.deviceId)) throw new BatchConflict(`device ${device.deviceId} appears twice in the batch`)
    seen.add(device.deviceId)
    try {
      importPublicKey(device.publicKey)
    } catch (err) {
      throw new BatchConflict(`device ${device.deviceId}: ${(err as Error).message}`)
    }
  }
  await em.transactional(async (tx) => {
    const batch = await tx.findOne(Batch, { id: input.batchId })
    if (batch !== null && batch.model !== input.model) {
      throw new BatchConflict(`batch ${input.batchId} is already registered for model "${batch.model}", not "${input.model}"`)
    }
    if (batch === null) tx.create(Batch, { id: input.batchId, model: input.model, createdAt: new Date() })

    for (const part of chunks(input.devices)) {
      const existing = new Map((await tx.find(Device, { id: { $in: part.map((d) => d.deviceId) } })).map((d) => [d.id, d]))
      const fresh = []
      for (const device of part) {
        const stored = existing.get(device.deviceId)
        if (stored === undefined) {
          fresh.push(device)
          outcome.created.push(device.deviceId)
        } else if (stored.publicKey === device.publicKey && stored.batchId === input.batchId && stored.model === input.model &&
          stored.claimCodeHash === device.claimCodeHash) {
          outcome.unchanged.push(device.deviceId)
        } else {
          outcome.conflicting.push({ deviceId: device.deviceId, reason: conflictReason(stored, device, input) })
        }
      }
      const now = new Date()
      await tx.insertMany(Device, fresh.map((device) => ({
        id: device.deviceId,
        model: input.model,
        publicKey: device.publicKey,
        batchId: input.batchId,
        state: 'registered' as const,
        connected: false,
        claimCodeHash: device.claimCodeHash,
        claimFailures: 0,
        configVersion: 0,
        createdAt: now,
        updatedAt: now
      })))
    }
  })
  return outcome
}

function conflictReason (stored: Device, device: BatchRegistration['devices'][number], input: BatchRegistration): string {
  if (stored.batchId !== input.batchId) return `already registered in batch ${stored.batchId}`
  if (stored.publicKey !== device.publicKey) return 'already registered with another public key'
  if (stored.model !== input.model) return `already registered as model "${stored.model}"`
  return 'already registered with another claim code'
}

export interface BatchSummary {
  batchId: string
  model: string
  createdAt: string
  devices: number
  states: Record<string, number>
}

export async function getBatch (em: EntityManager, batchId: string): Promise<BatchSummary> {
  const batch = await em.findOne(Batch, { id: batchId })
  if (batch === null) throw new BatchNotFound(batchId)
  const devices = await em.find(Device, { batchId }, { fields: ['state'] })
  const states: Record<string, number> = {}
  for (const device of devices) states[device.state] = (states[device.state] ?? 0) + 1
  return { batchId, model: batch.model, createdAt: batch.createdAt.toISOString(), devices: devices.length, states }
}

export async function getDevice (em: EntityManager, deviceId: string): Promise<Device> {
  const device = await em.findOne(Device, { id: deviceId })
  if (device === null) throw new DeviceNotFound(deviceId)
  return device
}

export interface DeviceSearch {
  q?: string
  state?: Device['state']
  batchId?: string
  ownerId?: string
  limit: number
  offset: number
}

/** Ids are `ocb_` + upper-case Crockford: the typed fragment in that form, without LIKE wildcards. */
const idFragment = (typed: string): string => typed.trim().replace(/^ocb_/i, '').toUpperCase().replace(/[^0-9A-Z]/g, '')

/** Admin search: by part of the id, state, batch or owner; newest first. */
export async function searchDevices (em: EntityManager, search: DeviceSearch): Promise<{ devices: Device[], total: number }> {
  const [devices, total] = await em.findAndCount(Device, {
    ...(search.q === undefined ? {} : { id: { $like: `%${idFragment(search.q)}%` } }),
    ...(search.state === undefined ? {} : { state: search.state }),
    ...(search.batchId === undefined ? {} : { batchId: search.batchId }),
    ...(search.ownerId === undefined ? {} : { ownerId: search.ownerId })
  }, { orderBy: { createdAt: 'desc', id: 'asc' }, limit: search.limit, offset: search.offset })
  return { devices, total }
}

/** Revoked boxes are refused by the verifier from then on; the caller disconnects live sessions. */
export async function revokeDevice (em: EntityManager, deviceId: string): Promise<void> {
  const device = await getDevice(em, deviceId)
  device.state = 'revoked'
  await em.flush()
}

/** Back to claimed if it has an owner, otherwise to registered (it becomes online when it connects). */
export async function restoreDevice (em: EntityManager, deviceId: string): Promise<void> {
  const device = await getDevice(em, deviceId)
  if (device.state !== 'revoked') return
  device.state = device.ownerId == null ? 'registered' : 'claimed'
  await em.flush()
}

export interface DeviceCounts {
  byState: Record<DeviceLifecycle, number>
  connected: number
}

export async function countDevices (em: EntityManager): Promise<DeviceCounts> {
  const counts = await Promise.all(DEVICE_STATES.map(async (state) => [state, await em.count(Device, { state })] as const))
  const byState = Object.fromEntries(counts) as Record<DeviceLifecycle, number>
  return { byState, connected: await em.count(Device, { connected: true }) }
}
