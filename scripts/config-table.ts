// Rewrites the configuration table in README.md from the config schema: `npm run docs:config`.
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { withConfigTable } from '../server/config-table.js'
import { packageInfo } from '../server/package-info.js'

const readmePath = path.join(packageInfo.root, 'README.md')
await writeFile(readmePath, withConfigTable(await readFile(readmePath, 'utf8')))
console.log(`updated the configuration table in ${readmePath}`)
