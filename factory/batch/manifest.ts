// The manifest: what the cloud needs to pre-register a batch (ids, public keys, claim-code hashes)
// and nothing secret. devices.ndjson is its journal while the batch is being made.
import { readFile } from 'node:fs/promises'
import Type from 'typebox'
import { DEVICE_ID_PATTERN } from '../../protocol/device-id.js'
import { check } from '../../protocol/validate.js'
import { FactoryError } from '../errors.js'
import { writeFileAtomic } from '../fsutil/atomic.js'
import type { BatchPaths } from './paths.js'
import type { BatchState } from './state.js'

export const ManifestDevice = Type.Object({
  deviceId: Type.String({ pattern: DEVICE_ID_PATTERN.source }),
  publicKey: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
  claimCodeHash: Type.String({ pattern: '^scrypt\\$' })
}, { additionalProperties: false })
export type ManifestDevice = Type.Static<typeof ManifestDevice>

export const Manifest = Type.Object({
  batchId: Type.String(),
  model: Type.String(),
  count: Type.Integer({ minimum: 1 }),
  createdAt: Type.String(),
  serverUrl: Type.String(),
  mqttUrl: Type.String(),
  consoleUrl: Type.String(),
  devices: Type.Array(ManifestDevice)
})
export type Manifest = Type.Static<typeof Manifest>

export const isManifestDevice = (value: unknown): value is ManifestDevice => check(ManifestDevice, value).ok

const CSV_HEADER = 'batch_id,model,device_id,public_key,claim_code_hash,created_at'

/** RFC 4180 quoting, only where needed (the model is free text). */
const csvField = (text: string): string => /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text

export async function writeManifest (paths: BatchPaths, state: BatchState, devices: readonly ManifestDevice[]): Promise<void> {
  const manifest: Manifest = {
    batchId: state.batchId,
    model: state.model,
    count: devices.length,
    createdAt: state.createdAt,
    serverUrl: state.serverUrl,
    mqttUrl: state.mqttUrl,
    consoleUrl: state.consoleUrl,
    devices: [...devices]
  }
  const rows = devices.map((d) => [state.batchId, state.model, d.deviceId, d.publicKey, d.claimCodeHash, state.createdAt].map(csvField).join(','))
  await writeFileAtomic(paths.manifestJson, `${JSON.stringify(manifest, null, 2)}\n`)
  await writeFileAtomic(paths.manifestCsv, `${[CSV_HEADER, ...rows].join('\r\n')}\r\n`)
}

export async function readManifest (paths: BatchPaths): Promise<Manifest> {
  let value: unknown
  try {
    value = JSON.parse(await readFile(paths.manifestJson, 'utf8'))
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT'
    throw new FactoryError(missing
      ? `${paths.manifestJson} is missing: the batch is unfinished (run "batch create --resume --out ${paths.dir}")`
      : `${paths.manifestJson} is not JSON`)
  }
  const checked = check(Manifest, value)
  if (!checked.ok) throw new FactoryError(`${paths.manifestJson}: ${checked.issue.path || 'file'} ${checked.issue.message}`)
  return checked.value
}
