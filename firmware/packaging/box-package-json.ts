// Prints the box package's package.json: the repository's version and the npm packages that the
// compiled daemon under DIST imports, each pinned to the version package-lock.json holds.
//   tsx firmware/packaging/box-package-json.ts DIST
import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join } from 'node:path'

const dist = process.argv[2]
if (dist === undefined) throw new Error('usage: box-package-json.ts DIST')
const root = new URL('../../', import.meta.url)
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { version: string } | undefined> }
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string }

const specifiers = new Set<string>()
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.js')) continue
  const code = readFileSync(join(entry.parentPath, entry.name), 'utf8')
  // Static imports and exports (tsc keeps them at line starts) and dynamic import('...').
  for (const match of code.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*'([^']+)'|^import\s*'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm)) {
    const specifier = match[1] ?? match[2] ?? match[3] ?? ''
    if (!specifier.startsWith('.')) specifiers.add(specifier)
  }
}
const packageOf = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/')
const dependencies: Record<string, string> = {}
for (const name of [...specifiers].map(packageOf).sort()) {
  if (name.startsWith('node:') || builtinModules.includes(name)) continue
  const locked = lock.packages[`node_modules/${name}`]
  if (locked === undefined) throw new Error(`${name} is imported by the box but not in package-lock.json`)
  dependencies[name] = locked.version
}
process.stdout.write(JSON.stringify({
  name: 'openclaw-box',
  version,
  private: true,
  type: 'module',
  description: 'OpenClaw Box daemon (installed by the openclaw-box Debian package)',
  dependencies
}, null, 2) + '\n')
