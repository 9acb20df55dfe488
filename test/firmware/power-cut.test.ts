// A power cut at any point of a state change leaves a loadable state: a child process moves the
// state machine round and round, persisting every transition, and is killed with SIGKILL at a
// random moment a few saves in, 50 times. Every restart must load a whole snapshot, never one
// older than the last save that completed.
import { spawn } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { once } from 'node:events'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { build } from 'esbuild'
import t from 'tap'
import { createStateStore } from '../../firmware/state/store.js'
import { tempDir } from '../helpers/app.js'

const WRITER = join(import.meta.dirname, 'fixtures', 'state-writer.ts')
const KILLS = 50

t.test(`state survives ${KILLS} kills during writes`, async (t) => {
  const dataDir = await tempDir(t, 'box-power-cut-')
  // Bundled once to plain JavaScript: 50 cold starts of a TypeScript loader would take minutes.
  const bundle = join(await tempDir(t, 'box-writer-'), 'state-writer.mjs')
  await build({ entryPoints: [WRITER], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error' })
  let lastSaved = -1
  for (let i = 0; i < KILLS; i++) {
    const child = spawn(process.execPath, [bundle, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] })
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
    const loaded = JSON.parse((await lines.next()).value as string) as { seq: number, recovered?: string }
    if (loaded.recovered !== undefined) t.fail(`restart ${i}: ${loaded.recovered}`)
    // A save that completed before the kill is never lost, and nothing older comes back.
    if (loaded.seq < lastSaved) t.fail(`restart ${i} loaded seq ${loaded.seq}, but ${lastSaved} had been saved`)
    // Let it save a few snapshots, then kill it a moment into the next write.
    const saves = 1 + Math.floor(Math.random() * 4)
    for (let n = 0; n < saves; n++) lastSaved = (JSON.parse((await lines.next()).value as string) as { saved: number }).saved
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 10))
    child.kill('SIGKILL')
    await once(child, 'exit')
  }
  const { snapshot, recovered } = await createStateStore(dataDir).load()
  t.equal(recovered, undefined, 'the final state loads as written')
  t.ok(snapshot.seq >= lastSaved, `ended at seq ${snapshot.seq}, at or after the last completed save (${lastSaved})`)
  t.same((await readdir(dataDir)).filter((name) => name !== 'state.json'), [], 'no temp files or set-aside copies remain')
})
