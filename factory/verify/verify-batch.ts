// `verify`: proves a batch is fit to ship before the boxes leave the station. Every label's QR is
// decoded from the PNG and checked against the manifest (device id, console, claim code against
// its hash); every credential file is checked against the manifest (its private key must derive
// the listed public key) and for its file mode.
import { readdir, readFile, stat } from 'node:fs/promises'
import { parseClaimUrl, verifyClaimCode } from '../../protocol/claim-code.js'
import { CredentialsError, parseDeviceCredentials } from '../../protocol/credentials.js'
import { readManifest, type Manifest, type ManifestDevice } from '../batch/manifest.js'
import { batchPaths, credentialFile, labelFile, type BatchPaths } from '../batch/paths.js'
import { readBatchState, type BatchState } from '../batch/state.js'
import { FactoryError } from '../errors.js'
import { labelPixels, sheetLayout } from '../labels/geometry.js'
import { sheetFileName } from '../labels/sheet.js'
import type { Progress } from '../progress.js'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createWorkerPool, defaultPoolSize } from '../workers/pool.js'

export interface VerifyProblem {
  deviceId?: string
  problem: string
}

export interface VerifyReport {
  ok: boolean
  batchId: string
  dir: string
  devices: number
  labelsVerified: number
  credentialsVerified: number
  sheetsFound: number
  problems: VerifyProblem[]
}

type DecodeQr = (path: string) => Promise<string | null>

async function checkLabel (decode: DecodeQr, paths: BatchPaths, manifest: Manifest, device: ManifestDevice): Promise<string | undefined> {
  let text: string | null
  try {
    text = await decode(labelFile(paths, device.deviceId))
  } catch (err) {
    return `label unreadable: ${(err as Error).message}`
  }
  if (text === null) return 'label QR does not decode'
  const link = parseClaimUrl(text)
  if (link === undefined) return `label QR is not a claim URL: ${text}`
  if (link.deviceId !== device.deviceId) return `label QR names ${link.deviceId}`
  if (new URL(link.consoleUrl).toString() !== new URL(`${manifest.consoleUrl.replace(/\/$/, '')}/`).toString()) return `label QR points at ${link.consoleUrl}, not ${manifest.consoleUrl}`
  if (!(await verifyClaimCode(link.code, device.claimCodeHash))) return 'claim code on the label does not match the manifest hash'
  return undefined
}

async function checkCredential (paths: BatchPaths, manifest: Manifest, device: ManifestDevice): Promise<string | undefined> {
  const path = credentialFile(paths, device.deviceId)
  try {
    if (((await stat(path)).mode & 0o077) !== 0) return 'credential file is readable by group or others (want mode 0600)'
    const credentials = parseDeviceCredentials(await readFile(path, 'utf8'))
    if (credentials.deviceId !== device.deviceId) return `credential file is for ${credentials.deviceId}`
    if (credentials.publicKey !== device.publicKey) return 'credential public key differs from the manifest'
    if (credentials.batchId !== manifest.batchId || credentials.model !== manifest.model) return 'credential file is from another batch or model'
    return undefined
  } catch (err) {
    if (err instanceof CredentialsError) return `credential file invalid: ${err.message}`
    return `credential file unreadable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`
  }
}

async function strayFiles (dir: string, expected: ReadonlySet<string>): Promise<string[]> {
  return (await readdir(dir).catch(() => [])).filter((name) => !expected.has(name))
}

async function expectedSheets (paths: BatchPaths, state: BatchState): Promise<{ expected: number, found: number }> {
  if (state.sheet === 'none') return { expected: 0, found: 0 }
  const expected = Math.ceil(state.count / sheetLayout(labelPixels(state.label, state.label.dpi)).perSheet)
  const present = new Set(await readdir(paths.sheets).catch(() => []))
  let found = 0
  for (let n = 1; n <= expected; n++) if (present.has(sheetFileName(n, state.sheet))) found++
  return { expected, found }
}

/** Runs `check` over items with at most `limit` in flight. */
async function forEachLimited<T> (items: readonly T[], limit: number, check: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await check(items[next++]!)
  }))
}

export async function verifyBatch (dir: string, progress: Progress): Promise<VerifyReport> {
  const paths = batchPaths(dir)
  const state = await readBatchState(paths)
  if (state === undefined) throw new FactoryError(`${dir} is not a batch directory (no batch.json)`)
  const manifest = await readManifest(paths)
  const problems: VerifyProblem[] = []
  if (manifest.batchId !== state.batchId) problems.push({ problem: `manifest is for batch ${manifest.batchId}, directory holds ${state.batchId}` })
  if (manifest.devices.length !== state.count) problems.push({ problem: `manifest lists ${manifest.devices.length} devices, the batch has ${state.count}` })
  const ids = new Set(manifest.devices.map((device) => device.deviceId))
  if (ids.size !== manifest.devices.length) problems.push({ problem: `manifest lists ${manifest.devices.length - ids.size} device ids twice` })

  for (const name of await strayFiles(paths.labels, new Set([...ids].map((id) => `${id}.png`)))) problems.push({ problem: `label ${name} is not in the manifest` })
  for (const name of await strayFiles(paths.credentials, new Set([...ids].map((id) => `${id}.json`)))) problems.push({ problem: `credential ${name} is not in the manifest` })
  const sheets = await expectedSheets(paths, state)
  if (sheets.found < sheets.expected) problems.push({ problem: `${sheets.expected - sheets.found} of ${sheets.expected} sheets are missing` })

  let labelsVerified = 0
  let credentialsVerified = 0
  progress.stage('verify', manifest.devices.length)
  const script = new URL(`./worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url)
  const pool = createWorkerPool<string, string | null>(script, undefined)
  try {
    // Enough in flight to keep every decoder busy; claim-code hashing runs meanwhile on libuv's pool.
    await forEachLimited(manifest.devices, defaultPoolSize() * 4, async (device) => {
      const [label, credential] = await Promise.all([checkLabel(pool.run, paths, manifest, device), checkCredential(paths, manifest, device)])
      if (label === undefined) labelsVerified++
      else problems.push({ deviceId: device.deviceId, problem: label })
      if (credential === undefined) credentialsVerified++
      else problems.push({ deviceId: device.deviceId, problem: credential })
      progress.advance('verify', 1)
    })
  } finally {
    progress.stop()
    await pool.close()
  }
  return {
    ok: problems.length === 0,
    batchId: state.batchId,
    dir,
    devices: manifest.devices.length,
    labelsVerified,
    credentialsVerified,
    sheetsFound: sheets.found,
    problems
  }
}
