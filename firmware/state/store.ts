// The persisted snapshot in the data dir (`state.json`, mode 0600). Every save is a durable atomic
// replace, saves are serialised, and load always yields a valid snapshot: the file as written, or
// a fresh one when there is none (first boot) or it cannot be used (then it is kept aside as
// `state.json.bad-<time>` for diagnosis, and the box starts over in setup).
import { mkdir, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { check } from '../../protocol/validate.js'
import { removeStaleTemps, writeFileDurable } from './atomic.js'
import { BoxSnapshot, initialSnapshot } from './machine.js'

export const STATE_FILE = 'state.json'

export interface StateStore {
  readonly path: string
  /** The stored snapshot, or a fresh one; `recovered` says why a stored file was not used. */
  load: (now?: number) => Promise<{ snapshot: BoxSnapshot, recovered?: string }>
  save: (snapshot: BoxSnapshot) => Promise<void>
}

export function createStateStore (dataDir: string): StateStore {
  const path = join(dataDir, STATE_FILE)
  let queue: Promise<void> = Promise.resolve()
  return {
    path,
    async load (now = Date.now()) {
      await mkdir(dataDir, { recursive: true, mode: 0o700 })
      await removeStaleTemps(path)
      let text: string
      try {
        text = await readFile(path, 'utf8')
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { snapshot: initialSnapshot(now) }
        throw err
      }
      let problem: string
      try {
        const checked = check(BoxSnapshot, JSON.parse(text))
        if (checked.ok) return { snapshot: checked.value }
        problem = `${checked.issue.path || 'state'}: ${checked.issue.message}`
      } catch {
        problem = 'not JSON'
      }
      const aside = `${path}.bad-${now}`
      await rename(path, aside)
      return { snapshot: initialSnapshot(now), recovered: `${STATE_FILE} was unusable (${problem}); kept as ${aside}` }
    },
    save (snapshot) {
      const write = queue.then(() => writeFileDurable(path, `${JSON.stringify(snapshot)}\n`))
      queue = write.catch(() => undefined)
      return write
    }
  }
}
