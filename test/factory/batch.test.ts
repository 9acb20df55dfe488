import t from 'tap'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { PDFDocument } from 'pdf-lib'
import { createBatch } from '../../factory/batch/create.js'
import { silentProgress } from '../../factory/progress.js'
import { decodeLabelQr } from '../../factory/verify/decode-label.js'
import { verifyBatch } from '../../factory/verify/verify-batch.js'
import { parseClaimUrl } from '../../protocol/claim-code.js'
import { parseDeviceCredentials } from '../../protocol/credentials.js'

const COUNT = 200
const dir = t.testdir()
const consoleUrl = 'https://console.openclaw.example'

t.test('a batch of 200: files, manifest, labels and sheets', async (t) => {
  const result = await createBatch({
    dir, resume: false, progress: silentProgress,
    given: { count: COUNT, model: 'OpenClaw Box v1', serverUrl: 'https://cloud.openclaw.example', consoleUrl }
  })
  t.match(result, { count: COUNT, created: COUNT, labelsRendered: COUNT, sheetsRendered: 6, sheet: 'a4-pdf', resumed: false })

  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))
  t.equal(manifest.devices.length, COUNT)
  t.equal(new Set(manifest.devices.map((d: { deviceId: string }) => d.deviceId)).size, COUNT, 'ids are unique')
  t.match(manifest, { batchId: result.batchId, model: 'OpenClaw Box v1', mqttUrl: 'mqtts://cloud.openclaw.example:8883', consoleUrl })
  const csv = (await readFile(join(dir, 'manifest.csv'), 'utf8')).trim().split('\r\n')
  t.equal(csv[0], 'batch_id,model,device_id,public_key,claim_code_hash,created_at')
  t.equal(csv.length, COUNT + 1)

  t.same(await readdir(dir).then((names) => names.sort()), ['batch.json', 'credentials', 'labels', 'manifest.csv', 'manifest.json', 'sheets'],
    'journals and the pending claim codes are gone once the batch is complete')

  const first = manifest.devices[0]
  const credentialPath = join(dir, 'credentials', `${first.deviceId}.json`)
  t.equal((await stat(credentialPath)).mode & 0o777, 0o600, 'credential files are 0600')
  const credentials = parseDeviceCredentials(await readFile(credentialPath, 'utf8'))
  t.match(credentials, { deviceId: first.deviceId, publicKey: first.publicKey, batchId: result.batchId, serverUrl: 'https://cloud.openclaw.example' })

  const sheets = await readdir(join(dir, 'sheets'))
  t.same(sheets.sort(), ['sheet-001.pdf', 'sheet-002.pdf', 'sheet-003.pdf', 'sheet-004.pdf', 'sheet-005.pdf', 'sheet-006.pdf'])
  const pdf = await PDFDocument.load(await readFile(join(dir, 'sheets', 'sheet-001.pdf')))
  const { width, height } = pdf.getPage(0).getSize()
  t.ok(Math.abs(width - 595.28) < 0.1 && Math.abs(height - 841.89) < 0.1, 'sheets are A4')
})

t.test('verify decodes every label to its manifest row', async (t) => {
  const report = await verifyBatch(dir, silentProgress)
  t.same(report.problems, [])
  t.match(report, { ok: true, devices: COUNT, labelsVerified: COUNT, credentialsVerified: COUNT, sheetsFound: 6 })
})

t.test('nothing but the labels holds a clear claim code, and no manifest holds a private key', async (t) => {
  const labels = await readdir(join(dir, 'labels'))
  const codes = await Promise.all(labels.slice(0, 40).map(async (name) => parseClaimUrl((await decodeLabelQr(join(dir, 'labels', name)))!)!.code))
  const texts = [
    await readFile(join(dir, 'manifest.json'), 'utf8'),
    await readFile(join(dir, 'manifest.csv'), 'utf8'),
    await readFile(join(dir, 'batch.json'), 'utf8'),
    ...await Promise.all((await readdir(join(dir, 'credentials'))).map((name) => readFile(join(dir, 'credentials', name), 'utf8')))
  ]
  const leaks = codes.filter((code) => texts.some((text) => text.includes(code) || text.includes(code.replace('-', ''))))
  t.same(leaks, [], 'no claim code outside its label')
  for (const manifestText of texts.slice(0, 3)) {
    t.notMatch(manifestText, /PRIVATE KEY|privateKey|"d":/, 'no private key material')
  }
})
