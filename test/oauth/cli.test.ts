// `openclaw-cloud user create` as an operator runs it: password on stdin, then the account signs in.
import { spawn } from 'node:child_process'
import path from 'node:path'
import t from 'tap'
import { buildAuthApp } from '../helpers/auth.js'
import { tempDir } from '../helpers/app.js'
import { CLI } from '../helpers/process.js'

const TSX = import.meta.resolve('tsx')

function createUser (args: string[], env: NodeJS.ProcessEnv, stdin: string): Promise<{ code: number | null, output: string }> {
  const child = spawn(process.execPath, ['--import', TSX, CLI, 'user', 'create', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stdin.end(stdin)
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })))
}

t.test('user create --admin makes an admin who can sign in', async (t) => {
  const dataDir = await tempDir(t)
  const databaseUrl = `sqlite:${path.join(dataDir, 'cloud.sqlite')}`
  const env = { OPENCLAW_CLOUD_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, PASSWORD_HASH_COST: '10' }

  // Each run starts a TypeScript CLI (seconds on a loaded machine), so the runs are few.
  const created = await createUser(['--email', 'Ops@Example.com', '--password-stdin', '--admin'], env, 'operator password 1\n')
  t.equal(created.code, 0, created.output)
  t.match(created.output, 'Created ops@example.com (roles: admin, user)')

  const again = await createUser(['--email', 'ops@example.com', '--password-stdin'], env, 'operator password 2')
  t.equal(again.code, 1)
  t.match(again.output, 'A user with the email ops@example.com exists already')
  t.notMatch(again.output, /\n\s+at /, 'no stack trace')

  const app = await buildAuthApp(t, { config: { dataDir, databaseUrl } })
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'ops@example.com', password: 'operator password 1' } })
  t.equal(login.statusCode, 200)
  t.same(login.json().user.roles, ['admin', 'user'])
  t.same((await app.inject('/api/setup')).json(), { needed: false }, 'no setup link is needed any more')
})
