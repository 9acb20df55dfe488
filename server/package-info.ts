// Where this package lives and what version it is, found from this module's own location so that
// it works the same from the TypeScript sources and from the build in dist/.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

function findRoot (from: string): string {
  let dir = from
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`no package.json above ${from}`)
    dir = parent
  }
  return dir
}

const root = findRoot(path.dirname(fileURLToPath(import.meta.url)))
const { name, version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string, version: string }

export const packageInfo = { root, name, version }
