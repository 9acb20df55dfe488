import t from 'tap'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runCli, runInProcess } from './helpers.js'

t.test('every command has --help', async (t) => {
  const runs = await Promise.all([[], ['batch'], ['batch', 'create'], ['verify']].map((words) => runInProcess([...words, '--help'])))
  for (const run of runs) t.equal(run.code, 0)
  t.match(runs[0]!.stdout, /Usage: openclaw-factory/)
  t.match(runs[2]!.stdout, /--count <n>[\s\S]*--resume[\s\S]*--label-size[\s\S]*--sheet[\s\S]*--json/)
  t.match(runs[3]!.stdout, /Usage: openclaw-factory verify \[options\] <dir>/)
})

t.test('clear errors', async (t) => {
  const dir = t.testdir({ foreign: { 'notes.txt': 'not a batch' }, empty: {} })
  const [foreign, foreignResume, badCount, badSheet, unwritable, notBatch] = await Promise.all([
    runInProcess(['batch', 'create', '--count', '5', '--model', 'M', '--out', join(dir, 'foreign')]),
    runInProcess(['batch', 'create', '--count', '5', '--model', 'M', '--out', join(dir, 'foreign'), '--resume']),
    runInProcess(['batch', 'create', '--count', '-3', '--model', 'M', '--out', join(dir, 'empty')]),
    runInProcess(['batch', 'create', '--count', '3', '--model', 'M', '--out', join(dir, 'empty'), '--sheet', 'a3']),
    runInProcess(['batch', 'create', '--count', '3', '--model', 'M', '--out', join(dir, 'foreign', 'notes.txt', 'x')]),
    runInProcess(['verify', join(dir, 'foreign')])
  ])
  t.equal(foreign.code, 1)
  t.match(foreign.stderr, /is not empty and holds no batch \(found notes.txt\)/)
  t.equal(foreignResume.code, 1, '--resume does not adopt a foreign directory')
  t.equal(badCount.code, 2)
  t.match(badCount.stderr, /--count must be a whole number/)
  t.equal(badSheet.code, 2)
  t.match(badSheet.stderr, /--sheet must be one of a4-png, a4-pdf, none/)
  t.equal(unwritable.code, 1)
  t.match(unwritable.stderr, /cannot write to .*notes.txt\/x/)
  t.equal(notBatch.code, 1)
  t.match(notBatch.stderr, /is not a batch directory/)
})

t.test('a small batch end to end through the real CLI process, with --json for scripts', async (t) => {
  const dir = join(t.testdir(), 'out')
  await mkdir(dir)
  const created = await runCli(['batch', 'create', '--count', '5', '--model', 'OpenClaw Box v1', '--out', dir, '--sheet', 'none', '--label-size', '60x30mm', '--dpi', '203', '--json'])
  t.equal(created.code, 0, created.stderr)
  t.equal(created.stderr, '', 'no progress noise with --json')
  t.match(JSON.parse(created.stdout), { count: 5, created: 5, sheet: 'none', sheetsRendered: 0 })
  const verified = await runCli(['verify', dir])
  t.equal(verified.code, 0, verified.stdout)
  t.match(verified.stdout, /5 devices, 5 labels and 5 credential files verified[\s\S]*OK: fit to ship/)
})

t.test('verify fails a tampered, unreadable or stray label', async (t) => {
  const dir = t.testdir()
  const created = await runInProcess(['batch', 'create', '--count', '4', '--model', 'OpenClaw Box v1', '--out', dir, '--json'])
  t.equal(created.code, 0, created.stderr)
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))
  const [a, b, c] = manifest.devices as Array<{ deviceId: string }>
  const label = (device: { deviceId: string }): string => join(dir, 'labels', `${device.deviceId}.png`)
  await copyFile(label(a!), label(b!))
  await writeFile(label(c!), 'not a png')
  await writeFile(join(dir, 'labels', 'stray.png'), '')
  const failed = await runInProcess(['verify', dir, '--json'])
  t.equal(failed.code, 1, 'non-zero exit')
  const report = JSON.parse(failed.stdout)
  t.match(report, { ok: false, labelsVerified: 2, credentialsVerified: 4 })
  t.same(report.problems.map((p: { deviceId?: string, problem: string }) => [p.deviceId, p.problem.replace(/:.*/, '')]).sort(), [
    [undefined, 'label stray.png is not in the manifest'],
    [b!.deviceId, `label QR names ${a!.deviceId}`],
    [c!.deviceId, 'label unreadable']
  ].sort())
})
