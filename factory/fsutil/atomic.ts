// Write-then-rename, so a reader (or a resumed run) sees either the old file or the whole new one,
// never a torn one, whenever the process is killed.
import { randomBytes } from 'node:crypto'
import { rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

export const TEMP_SUFFIX = '.tmp'

export async function writeFileAtomic (path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`)
  try {
    await writeFile(temp, data, { mode })
    await rename(temp, path)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}
