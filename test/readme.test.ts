import { readFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { withConfigTable } from '../server/config-table.js'
import { packageInfo } from '../server/package-info.js'

t.test('README shows one start command, one test command and the current configuration table', async (t) => {
  const readme = await readFile(path.join(packageInfo.root, 'README.md'), 'utf8')
  t.match(readme, '```sh\nnpm install && npm start\n```')
  t.match(readme, '```sh\nnpm test\n```')
  t.equal(readme, withConfigTable(readme), 'the table matches the config schema; run `npm run docs:config`')
})

t.test('the CI script runs the README test command under CI=true', async (t) => {
  const ci = await readFile(path.join(packageInfo.root, '.ci', 'run'), 'utf8')
  t.match(ci, 'CI=true npm test')
})
