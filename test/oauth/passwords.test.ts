// Password hashes carry their parameters, so the cost can be raised later; the strength policy says why.
import { stat } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { hashPassword, needsRehash, passwordWeakness, verifyPassword } from '../../plugins/oauth/passwords.js'
import { User } from '../../plugins/oauth/entities.js'
import { KEY_FILE } from '../../plugins/oauth/secrets.js'
import { tempDir } from '../helpers/app.js'
import { buildAuthApp, signUp } from '../helpers/auth.js'

t.test('scrypt hashes with a per-user salt and their parameters', async (t) => {
  const first = await hashPassword('correct horse battery', 10)
  const second = await hashPassword('correct horse battery', 10)
  t.match(first, /^scrypt\$10\$8\$1\$[\w-]{22}\$[\w-]{43}$/)
  t.not(first, second, 'each hash has its own salt')
  t.ok(await verifyPassword('correct horse battery', first))
  t.notOk(await verifyPassword('correct horse batterY', first))
  t.notOk(await verifyPassword('anything', 'md5$abc'), 'an unknown format never verifies')
  t.notOk(needsRehash(first, 10))
  t.ok(needsRehash(first, 11), 'a raised cost asks for a new hash')
})

t.test('strength policy', async (t) => {
  t.match(passwordWeakness('short', 'a@example.com'), 'at least 10 characters')
  t.match(passwordWeakness('Password123', 'a@example.com'), 'most common passwords')
  t.match(passwordWeakness('grace-hopper-cobol', 'grace@example.com'), 'contains your email name')
  t.equal(passwordWeakness('a fine long passphrase', 'grace@example.com'), undefined)
})

t.test('the signing key is created once, in a file only the server user can read', async (t) => {
  const app = await buildAuthApp(t)
  const file = path.join(app.config.dataDir, KEY_FILE)
  t.equal((await stat(file)).mode & 0o777, 0o600)
})

t.test('raising the cost upgrades a stored hash at the next sign-in', async (t) => {
  const dataDir = await tempDir(t)
  const config = { dataDir, databaseUrl: `sqlite:${path.join(dataDir, 'cloud.sqlite')}` }
  const before = await buildAuthApp(t, { config })
  const user = await signUp(before)
  await before.close()

  const after = await buildAuthApp(t, { config: { ...config, passwordHashCost: 11 } })
  const login = await after.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: user.password } })
  t.equal(login.statusCode, 200, 'the old hash still verifies')
  const stored = await after.orm.em.fork().findOneOrFail(User, { id: user.user.id })
  t.match(stored.passwordHash, /^scrypt\$11\$/)
})
