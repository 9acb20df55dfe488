import t from 'tap'
import { access, appendFile, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { verifyBatch } from '../../factory/verify/verify-batch.js'
import { silentProgress } from '../../factory/progress.js'
import { lineCount, runInProcess, startCli } from './helpers.js'

const COUNT = 150
const createArgs = (dir: string): string[] => ['batch', 'create', '--count', String(COUNT), '--model', 'OpenClaw Box v1', '--out', dir, '--sheet', 'a4-png']

// The killed run is a real process (SIGKILL, no cleanup); the reruns go in-process to save time.
t.test('killing batch create halfway and resuming yields exactly N devices', async (t) => {
  const dir = t.testdir()
  const child = startCli(createArgs(dir))
  const exited = new Promise((resolve) => child.on('exit', resolve))
  // Kill once some devices are journaled, well before all are.
  let journaled = 0
  for (let waited = 0; journaled < 36 && waited < 60_000; waited += 20) {
    await sleep(20)
    journaled = await lineCount(join(dir, 'devices.ndjson'))
  }
  child.kill('SIGKILL')
  await exited
  const atKill = await lineCount(join(dir, 'devices.ndjson'))
  t.ok(atKill >= 36 && atKill < COUNT, `killed with ${atKill} of ${COUNT} devices journaled`)
  t.notOk(await access(join(dir, 'manifest.json')).then(() => true, () => false), 'the batch was unfinished at the kill')

  // What a kill between steps can leave, whatever moment it lands on: a credential file whose
  // device never reached the journal, a temp file, a half-appended journal line.
  await writeFile(join(dir, 'credentials', 'ocb_ZZZZZZZZZZZZZZZZ.json'), '{}')
  await writeFile(join(dir, 'labels', '.ocb_ZZZZZZZZZZZZZZZZ.png.1a2b.tmp'), '')
  await appendFile(join(dir, 'devices.ndjson'), '{"deviceId":"ocb_')

  const refused = await runInProcess(createArgs(dir))
  const mismatch = await runInProcess([...createArgs(dir).map((arg) => arg === String(COUNT) ? '999' : arg), '--resume'])
  t.equal(refused.code, 1, 'without --resume the unfinished batch is refused')
  t.match(refused.stderr, /already holds batch .* \(unfinished\); add --resume/)

  t.equal(mismatch.code, 2)
  t.match(mismatch.stderr, /--count 999 does not match batch/)

  const resumed = await runInProcess([...createArgs(dir), '--resume', '--json'])
  t.equal(resumed.code, 0, resumed.stderr)
  const summary = JSON.parse(resumed.stdout)
  t.match(summary, { resumed: true, count: COUNT })
  t.ok(summary.created <= COUNT - atKill, `the resumed run made only the missing devices (${summary.created})`)

  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))
  const ids = manifest.devices.map((d: { deviceId: string }) => d.deviceId)
  t.equal(ids.length, COUNT)
  t.equal(new Set(ids).size, COUNT, 'no duplicates')
  t.same((await readdir(join(dir, 'credentials'))).sort(), ids.map((id: string) => `${id}.json`).sort(), 'one credential per device, no orphans')
  t.same((await readdir(join(dir, 'labels'))).sort(), ids.map((id: string) => `${id}.png`).sort(), 'one label per device, no orphans')
  t.equal((await readdir(join(dir, 'sheets'))).length, Math.ceil(COUNT / 36))
  const report = await verifyBatch(dir, silentProgress)
  t.same(report.problems, [])

  const again = await runInProcess([...createArgs(dir), '--resume', '--json'])
  t.equal(again.code, 0, 'resuming a finished batch is a no-op')
  t.match(JSON.parse(again.stdout), { created: 0, labelsRendered: 0 })
})
