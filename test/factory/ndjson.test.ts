import t from 'tap'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { appendRecords, readJournal, repairJournal } from '../../factory/batch/ndjson.js'

const isRecord = (value: unknown): value is { n: number } => typeof (value as { n?: unknown })?.n === 'number'

t.test('a torn last line is dropped and cut off; whole lines survive', async (t) => {
  const path = join(t.testdir(), 'journal.ndjson')
  await appendRecords(path, [{ n: 1 }, { n: 2 }])
  await writeFile(path, `${await readFile(path, 'utf8')}{"n":3`, { flag: 'w' })
  const read = await readJournal(path, isRecord)
  t.same(read.records, [{ n: 1 }, { n: 2 }])
  t.equal(read.torn, true)
  await repairJournal(path, read)
  await appendRecords(path, [{ n: 4 }])
  t.same((await readJournal(path, isRecord)).records, [{ n: 1 }, { n: 2 }, { n: 4 }], 'appends continue on a clean line')
})

t.test('a complete last line without its newline counts as torn too', async (t) => {
  const path = join(t.testdir(), 'journal.ndjson')
  await writeFile(path, '{"n":1}\n{"n":2}')
  const read = await readJournal(path, isRecord)
  t.same(read.records, [{ n: 1 }])
  t.equal(read.torn, true)
})

t.test('damage in the middle is refused, not silently skipped', async (t) => {
  const path = join(t.testdir(), 'journal.ndjson')
  await writeFile(path, '{"n":1}\n{"n":\n{"n":3}\n')
  await t.rejects(readJournal(path, isRecord), /line 2 is damaged/)
})

t.test('a missing journal is an empty one', async (t) => {
  t.same(await readJournal(join(t.testdir(), 'none.ndjson'), isRecord), { records: [], validBytes: 0, torn: false })
})
