// `batch create`: makes N device identities, their credential files, labels, sheets and manifest.
//
// Crash safety rests on one rule: a device exists once its line is in devices.ndjson, and that line
// is appended only after its credential file (temp + rename) and its clear claim code (in the
// 0600 pending-codes journal) are on disk. A kill at any point therefore leaves either a whole
// device or debris that a resumed run deletes. Labels and sheets are derived data: a sheet file is
// written after its labels, so a missing sheet means "render this sheet again".
import { access, constants, mkdir, readdir, rm, stat } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildClaimUrl } from '../../protocol/claim-code.js'
import { FactoryError } from '../errors.js'
import { TEMP_SUFFIX, writeFileAtomic } from '../fsutil/atomic.js'
import { labelPixels, sheetLayout } from '../labels/geometry.js'
import { createWorkerPool, defaultPoolSize } from '../workers/pool.js'
import type { RenderResult, RenderSetup, RenderTask } from '../labels/render-task.js'
import { sheetFileName } from '../labels/sheet.js'
import type { Progress } from '../progress.js'
import { newDevice, type PendingCode } from './identity.js'
import { acquireLock } from './lock.js'
import { isManifestDevice, writeManifest, type ManifestDevice } from './manifest.js'
import { appendRecords, readJournal, repairJournal } from './ndjson.js'
import { batchPaths, credentialFile, labelFile, type BatchPaths } from './paths.js'
import { assertResumable, newBatchState, type GivenSettings } from './settings.js'
import { readBatchState, writeBatchState, type BatchState } from './state.js'

/** Labels per worker task when no sheets are made. */
const LABELS_PER_TASK = 32

export interface CreateBatchOptions {
  dir: string
  resume: boolean
  given: GivenSettings
  progress: Progress
  poolSize?: number
}

export interface CreateBatchResult {
  batchId: string
  dir: string
  model: string
  count: number
  resumed: boolean
  /** Devices made by this run (a resumed run makes only the missing ones). */
  created: number
  labelsRendered: number
  sheetsRendered: number
  sheet: BatchState['sheet']
  elapsedMs: number
  /** Busy time per kind of work, summed over threads (they overlap, so the sum exceeds elapsedMs). */
  busyMs: Record<string, number>
}

async function ensureWritableDir (dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true })
    if (!(await stat(dir)).isDirectory()) throw new FactoryError(`${dir} is not a directory`)
    await access(dir, constants.W_OK)
  } catch (err) {
    if (err instanceof FactoryError) throw err
    const { code, message } = err as NodeJS.ErrnoException
    throw new FactoryError(`cannot write to ${dir} (${code ?? message}); choose a directory you can write to`)
  }
}

async function openBatch (paths: BatchPaths, options: CreateBatchOptions): Promise<{ state: BatchState, resumed: boolean }> {
  const existing = await readBatchState(paths)
  if (existing === undefined) {
    const foreign = (await readdir(paths.dir)).filter((name) => name !== '.lock')
    if (foreign.length > 0) {
      throw new FactoryError(`${paths.dir} is not empty and holds no batch (found ${foreign.slice(0, 3).join(', ')}); use a new or empty directory`)
    }
    const state = newBatchState(options.given, new Date())
    await writeBatchState(paths, state)
    return { state, resumed: false }
  }
  if (!options.resume) {
    throw new FactoryError(`${paths.dir} already holds batch ${existing.batchId}${existing.completedAt === undefined ? ' (unfinished)' : ''}; add --resume to finish it, or choose another directory`)
  }
  assertResumable(existing, options.given)
  return { state: existing, resumed: true }
}

const isPendingCode = (value: unknown): value is PendingCode =>
  typeof value === 'object' && value !== null && typeof (value as PendingCode).deviceId === 'string' && typeof (value as PendingCode).code === 'string'

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false)

/** Journaled devices whose credential file survived, with debris of interrupted writes removed. */
async function recoverDevices (paths: BatchPaths): Promise<{ devices: ManifestDevice[], codes: Map<string, string> }> {
  const journal = await readJournal(paths.journal, isManifestDevice)
  await repairJournal(paths.journal, journal)
  const credentialNames = new Set(await readdir(paths.credentials))
  // Only a power cut (not a kill) can lose a renamed credential file; such a device's key is gone.
  const devices = journal.records.filter((device) => credentialNames.has(`${device.deviceId}.json`))
  if (devices.length < journal.records.length) {
    await writeFileAtomic(paths.journal, devices.map((device) => `${JSON.stringify(device)}\n`).join(''))
    await rm(paths.sheets, { recursive: true, force: true })
    await mkdir(paths.sheets)
  }
  const known = new Set(devices.map((device) => device.deviceId))
  const isDebris = (name: string, extension: string): boolean =>
    name.endsWith(TEMP_SUFFIX) || !known.has(name.slice(0, -extension.length))
  await Promise.all([
    ...[...credentialNames].filter((name) => isDebris(name, '.json')).map((name) => rm(resolve(paths.credentials, name), { force: true })),
    ...(await readdir(paths.labels)).filter((name) => isDebris(name, '.png')).map((name) => rm(resolve(paths.labels, name), { force: true })),
    ...(await readdir(paths.sheets)).filter((name) => name.endsWith(TEMP_SUFFIX)).map((name) => rm(resolve(paths.sheets, name), { force: true }))
  ])
  const pending = await readJournal(paths.pendingCodes, isPendingCode)
  await repairJournal(paths.pendingCodes, pending)
  return { devices, codes: new Map(pending.records.map((record) => [record.deviceId, record.code])) }
}

async function finish (paths: BatchPaths, state: BatchState, devices: readonly ManifestDevice[]): Promise<void> {
  await writeManifest(paths, state, devices)
  await writeBatchState(paths, { ...state, completedAt: new Date().toISOString() })
  await removeJournals(paths)
}

/** Once labels are on disk nobody needs the clear codes; once the manifest is, nobody needs the journal. */
async function removeJournals (paths: BatchPaths): Promise<void> {
  await rm(paths.pendingCodes, { force: true })
  await rm(paths.journal, { force: true })
}

/**
 * Sizes the batch's one QR version. Lower-case letters fit only QR byte mode, the costliest, so no
 * real id or code (upper-case and digits, which denser modes can take) needs a larger version. Digits
 * here would let the encoder pick numeric mode and size the QR too small for real codes.
 */
const WORST_CASE_CLAIM = { deviceId: 'ocb_zzzzzzzzzzzzzzzz', code: 'zzzzz-zzzzz' }

export async function createBatch (options: CreateBatchOptions): Promise<CreateBatchResult> {
  const started = performance.now()
  const paths = batchPaths(resolve(options.dir))
  await ensureWritableDir(paths.dir)
  const release = await acquireLock(paths.lock)
  try {
    const { state, resumed } = await openBatch(paths, options)
    const result: CreateBatchResult = {
      batchId: state.batchId, dir: paths.dir, model: state.model, count: state.count, resumed, created: 0,
      labelsRendered: 0, sheetsRendered: 0, sheet: state.sheet, elapsedMs: 0, busyMs: {}
    }
    if (state.completedAt !== undefined) {
      await removeJournals(paths) // in case the finished run was killed right before doing so
      return { ...result, elapsedMs: performance.now() - started }
    }
    await run(paths, state, options, result)
    return { ...result, elapsedMs: performance.now() - started }
  } finally {
    options.progress.stop()
    await release()
  }
}

function addBusy (result: CreateBatchResult, kind: string, ms: number): void {
  result.busyMs[kind] = (result.busyMs[kind] ?? 0) + ms
}

async function run (paths: BatchPaths, state: BatchState, options: CreateBatchOptions, result: CreateBatchResult): Promise<void> {
  await mkdir(paths.credentials, { recursive: true, mode: 0o700 })
  await mkdir(paths.labels, { recursive: true })
  await mkdir(paths.sheets, { recursive: true })
  const { devices, codes } = await recoverDevices(paths)
  const label = labelPixels(state.label, state.label.dpi)
  const perSheet = state.sheet === 'none' ? LABELS_PER_TASK : sheetLayout(label).perSheet
  if (perSheet === 0) throw new FactoryError(`a ${state.label.widthMm}x${state.label.heightMm} mm label does not fit on A4; use --sheet none`)

  const setup: RenderSetup = {
    design: { ...label, model: state.model, sampleClaimUrl: buildClaimUrl(state.consoleUrl, WORST_CASE_CLAIM) },
    sheet: state.sheet,
    labelsDir: paths.labels,
    sheetsDir: paths.sheets,
    batchId: state.batchId
  }
  const poolSize = options.poolSize ?? defaultPoolSize()
  const worker = new URL(`../labels/worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url)
  const pool = createWorkerPool<RenderTask, RenderResult>(worker, setup, poolSize)
  const inFlight: Array<Promise<void>> = []
  const progress = options.progress

  const members = (sheetIndex: number): ManifestDevice[] => devices.slice(sheetIndex * perSheet, (sheetIndex + 1) * perSheet)
  const rendered = async (sheetIndex: number): Promise<boolean> => state.sheet === 'none'
    ? (await Promise.all(members(sheetIndex).map((device) => exists(labelFile(paths, device.deviceId))))).every(Boolean)
    : await exists(resolve(paths.sheets, sheetFileName(sheetIndex + 1, state.sheet)))

  const submit = async (sheetIndex: number): Promise<void> => {
    const labels = members(sheetIndex).map(({ deviceId }) => {
      const code = codes.get(deviceId)
      if (code === undefined) throw new FactoryError(`the claim code of ${deviceId} is lost (${paths.pendingCodes} was edited?); its label cannot be printed`)
      return { deviceId, code, claimUrl: buildClaimUrl(state.consoleUrl, { deviceId, code }) }
    })
    const done = pool.run({ sheetNumber: sheetIndex + 1, labels }).then((rendered) => {
      result.labelsRendered += rendered.labels
      if (state.sheet !== 'none') result.sheetsRendered++
      addBusy(result, 'label render', rendered.busyMs.labelRender)
      addBusy(result, 'label encode + write', rendered.busyMs.labelWrite)
      addBusy(result, 'sheet compose + encode + write', rendered.busyMs.sheet)
      progress.advance('labels', rendered.labels)
    })
    done.catch(() => undefined) // awaited below; this only keeps an early failure from going unhandled
    inFlight.push(done)
    // Keep the workers fed without queueing the whole batch in memory.
    if (inFlight.length > 2 * poolSize) await inFlight.shift()
  }

  try {
    const completeSheets = devices.length === state.count ? Math.ceil(state.count / perSheet) : Math.floor(devices.length / perSheet)
    const toRender: number[] = []
    let labelsDone = 0
    for (let sheetIndex = 0; sheetIndex < completeSheets; sheetIndex++) {
      if (await rendered(sheetIndex)) labelsDone += members(sheetIndex).length
      else toRender.push(sheetIndex)
    }
    progress.stage('identities', state.count, devices.length)
    progress.stage('labels', state.count, labelsDone)
    for (const sheetIndex of toRender) await submit(sheetIndex)

    const taken = new Set(devices.map((device) => device.deviceId))
    while (devices.length < state.count) {
      const sheetIndex = Math.floor(devices.length / perSheet)
      const size = Math.min(state.count, (sheetIndex + 1) * perSheet) - devices.length
      const t0 = performance.now()
      const fresh = await Promise.all(Array.from({ length: size }, () => newDevice(state, taken)))
      const t1 = performance.now()
      await Promise.all(fresh.map(({ credentials }) =>
        writeFileAtomic(credentialFile(paths, credentials.deviceId), `${JSON.stringify(credentials, null, 2)}\n`, 0o600)))
      await appendRecords(paths.pendingCodes, fresh.map(({ credentials, code }) => ({ deviceId: credentials.deviceId, code })), 0o600)
      await appendRecords(paths.journal, fresh.map((device) => device.manifest))
      addBusy(result, 'identities (keys + claim-code hashes)', t1 - t0)
      addBusy(result, 'credential + journal writes', performance.now() - t1)
      for (const device of fresh) {
        devices.push(device.manifest)
        codes.set(device.credentials.deviceId, device.code)
      }
      result.created += size
      progress.advance('identities', size)
      await submit(sheetIndex)
    }
    await Promise.all(inFlight)
  } finally {
    await pool.close()
  }
  const t2 = performance.now()
  await finish(paths, state, devices)
  addBusy(result, 'manifest', performance.now() - t2)
}
