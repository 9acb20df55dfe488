// One writer per batch directory. The lock names its pid, so a run that was killed (the case
// --resume exists for) leaves a stale lock the next run can take over.
import { open, readFile, rm } from 'node:fs/promises'
import { FactoryError } from '../errors.js'

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export async function acquireLock (path: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600)
      await handle.writeFile(String(process.pid))
      await handle.close()
      return async () => { await rm(path, { force: true }) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = Number(await readFile(path, 'utf8').catch(() => ''))
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new FactoryError(`another openclaw-factory (pid ${holder}) is working on this directory`)
      }
      await rm(path, { force: true })
    }
  }
  throw new FactoryError(`could not lock ${path}`)
}
