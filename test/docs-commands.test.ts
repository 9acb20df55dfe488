// Every command the documentation gives is one that works: each `sh` block line and each inline
// command in README.md, docs/ and the READMEs is checked against what it names. Our CLIs must
// have the subcommands and flags used; npm scripts, scripts and bench files must exist and know
// their flags; curl calls must hit a documented route with that method and a body its schema
// accepts; settings given as VAR=value must be read somewhere. An unknown program fails the test,
// so a new kind of command in the docs gets a check here.
import { execFile } from 'node:child_process'
import { access, constants, readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Ajv } from 'ajv'
import { parse } from 'shell-quote'
import t from 'tap'
import { installedPlugins } from '../server/installed-plugins.js'
import { buildTestApp } from './helpers/app.js'

const run = promisify(execFile)
const ROOT = join(import.meta.dirname, '..')
const TSX = import.meta.resolve('tsx')

/** Programs that are not ours: the docs use them as their own manuals say. */
const EXTERNAL = new Set(['ulimit', 'apt', 'install', 'editor', 'systemctl', 'journalctl', 'docker', 'jq', 'cd', 'export', 'psql', 'pg_dump', 'mosquitto_sub', 'mosquitto_pub'])
/** Our command-line programs: where their source is, as `npm run <script> --` or the installed binary. */
const CLIS: Record<string, string[]> = {
  'openclaw-cloud': ['server/cli.ts'],
  'openclaw-factory': ['factory/cli.ts'],
  'openclaw-box': ['firmware/cli.ts'],
  cli: ['server/cli.ts'],
  factory: ['factory/cli.ts'],
  box: ['firmware/cli.ts', 'run']
}
const CODE_DIRS = ['server', 'plugins', 'protocol', 'factory', 'firmware', 'scripts', 'bench', 'deploy', '.ci']
/** A word that stands for something the reader fills in: the check stops there. */
const isPlaceholder = (word: string): boolean => /[<>…]|\.\.\./.test(word)

interface DocCommand { where: string, words: string[], env: Record<string, string> }

async function docFiles (): Promise<string[]> {
  const inDir = async (dir: string, match: RegExp): Promise<string[]> =>
    (await readdir(join(ROOT, dir), { recursive: true })).filter((name) => match.test(name)).map((name) => join(dir, name))
  return ['README.md', 'firmware/README.md', ...await inDir('docs', /\.md$/), ...await inDir('plugins', /README\.md$/)]
}

/** Shell words of one command line; `$VAR` stays visible as `$VAR`. */
function shellWords (line: string): Array<string | { op: string }> {
  return parse(line, (name) => `$${name}`).flatMap((entry): Array<string | { op: string }> => {
    if (typeof entry === 'string') return [entry]
    if ('op' in entry) return [{ op: entry.op }]
    return [] // a comment
  })
}

/** Splits at `&&`, `|`, `;`, `$(`; drops `sudo`, leading VAR=value (kept as env) and redirections. */
function commandsOf (line: string, where: string): DocCommand[] {
  const commands: DocCommand[] = []
  let current: DocCommand = { where, words: [], env: {} }
  const words = shellWords(line.replace(/\$\(/g, ' ; '))
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    if (typeof word !== 'string') {
      if (word.op === '>' || word.op === '<' || word.op === '>>') { i++; continue }
      commands.push(current)
      current = { where, words: [], env: {} }
      continue
    }
    const assignment = /^([A-Z_][A-Z0-9_]*)=(.*)$/s.exec(word)
    if (current.words.length === 0 && assignment !== null) { current.env[assignment[1]!] = assignment[2]!; continue }
    if (current.words.length === 0 && word === 'sudo') continue
    current.words.push(word.replace(/\)$/, ''))
  }
  commands.push(current)
  return commands.filter((command) => command.words.length > 0 || Object.keys(command.env).length > 0)
}

async function documentedCommands (): Promise<{ commands: DocCommand[], shellVariables: Map<string, Set<string>> }> {
  const commands: DocCommand[] = []
  const shellVariables = new Map<string, Set<string>>()
  for (const file of await docFiles()) {
    const text = await readFile(join(ROOT, file), 'utf8')
    shellVariables.set(file, new Set([...text.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!)))
    const lines = text.split('\n')
    let inShell = false
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n]!
      if (/^```/.test(line)) { inShell = !inShell && /^```(sh|bash|shell)\s*$/.test(line); continue }
      if (inShell) {
        let joined = line
        while (joined.endsWith('\\') && n + 1 < lines.length) joined = joined.slice(0, -1) + ' ' + lines[++n]!
        commands.push(...commandsOf(joined, `${file}:${n + 1}`))
        continue
      }
      for (const [, code] of line.matchAll(/`([^`]+)`/g)) {
        if (/^(openclaw-(cloud|factory|box)|npm run|npx tsx) /.test(code!)) commands.push(...commandsOf(code!, `${file}:${n + 1} (inline)`))
      }
    }
  }
  return { commands, shellVariables }
}

const helpCache = new Map<string, Promise<string>>()
/** `--help` of a CLI subcommand, or a rejection naming what is wrong. */
function helpOf (cli: string[], path: string[]): Promise<string> {
  const key = [...cli, ...path].join(' ')
  let help = helpCache.get(key)
  if (help === undefined) {
    help = run(process.execPath, ['--import', TSX, join(ROOT, cli[0]!), ...cli.slice(1), ...path, '--help'], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent' } })
      .then(({ stdout }) => stdout)
    helpCache.set(key, help)
  }
  return help
}

/** Checks a CLI call: each subcommand exists and each --flag is one it takes. Returns problems. */
async function checkCli (cli: string[], args: string[]): Promise<string[]> {
  const path: string[] = []
  let help = await helpOf(cli, path)
  const problems: string[] = []
  for (const arg of args) {
    if (isPlaceholder(arg)) break
    if (arg.startsWith('-')) {
      const flag = arg.split('=')[0]!
      if (!new RegExp(`(^|[\\s,])${flag.replace(/[-]/g, '\\-')}([\\s,=]|$)`, 'm').test(help)) problems.push(`${[...cli, ...path].join(' ')} has no option ${flag}`)
      continue
    }
    const commands = /^Commands:\n([\s\S]*?)(?:\n\n|(?![\s\S]))/m.exec(help)?.[1] ?? ''
    if (new RegExp(`^\\s+${arg}\\b`, 'm').test(commands)) {
      path.push(arg)
      help = await helpOf(cli, path)
    }
  }
  return problems
}

/** Flags given to a script or bench file must be ones its source mentions. */
async function checkFileCommand (file: string, args: string[], executable: boolean): Promise<string[]> {
  const source = await readFile(join(ROOT, file), 'utf8').catch(() => undefined)
  if (source === undefined) return [`${file} does not exist`]
  const problems: string[] = []
  if (executable && await access(join(ROOT, file), constants.X_OK).then(() => false, () => true)) problems.push(`${file} is not executable`)
  for (const arg of args) {
    if (isPlaceholder(arg)) break
    const flag = arg.split('=')[0]!
    if (flag.startsWith('--') && !source.includes(flag)) problems.push(`${file} does not take ${flag}`)
  }
  return problems
}

interface OpenApi { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: object }> } }>> }

function checkCurl (args: string[], spec: OpenApi, ajv: Ajv): string[] {
  let method: string | undefined
  let body: string | undefined
  let url: string | undefined
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '-X') method = args[++i]
    else if (arg === '-d' || arg === '--data') body = args[++i]
    else if (arg === '-H') i++
    else if (!arg.startsWith('-')) url = arg
  }
  const path = url === undefined ? undefined : /^(?:\$[A-Z_]+|https?:\/\/[^/]+)(\/[^?#]*)/.exec(url)?.[1]
  if (path === undefined) return [`curl without an API URL: ${args.join(' ')}`]
  method = (method ?? (body === undefined ? 'GET' : 'POST')).toLowerCase()
  const segments = path.split('/')
  const route = Object.keys(spec.paths).find((candidate) => {
    const parts = candidate.split('/')
    return parts.length === segments.length && parts.every((part, i) => part === segments[i] || /^\{.+\}$/.test(part) || isPlaceholder(segments[i]!))
  })
  if (route === undefined) return [`no route ${path} in the API`]
  const operation = spec.paths[route]![method]
  if (operation === undefined) return [`${route} does not take ${method.toUpperCase()}`]
  if (body === undefined) return []
  const schema = operation.requestBody?.content?.['application/json']?.schema
  if (schema === undefined) return [`${method.toUpperCase()} ${route} documents no JSON body`]
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return [`the body for ${route} is not JSON: ${body}`]
  }
  const validate = ajv.compile(schema)
  return validate(parsed) ? [] : [`the body for ${method.toUpperCase()} ${route} is refused: ${ajv.errorsText(validate.errors)}`]
}

t.test('every command in the documentation is one that works', async (t) => {
  const { commands, shellVariables } = await documentedCommands()
  t.ok(commands.length > 50, `found the documented commands (${commands.length})`)
  const packageJson = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  const app = await buildTestApp(t, { installed: installedPlugins })
  const spec = (await app.inject('/api/openapi.json')).json<OpenApi>()
  const ajv = new Ajv({ strict: false, allErrors: true })
  const codeText = (await Promise.all(CODE_DIRS.map(async (dir) => {
    const files = (await readdir(join(ROOT, dir), { recursive: true })).filter((name) => /\.(ts|mjs|js|sh|yml|json|conf)$|^run$/.test(name) && !name.includes('node_modules'))
    return Promise.all(files.map((name) => readFile(join(ROOT, dir, name), 'utf8').catch(() => '')))
  }))).flat().join('\n')

  // Checked side by side (each CLI's --help is a process of its own), reported in document order.
  const checked = await Promise.all(commands.map(async (command) => {
    const problems: string[] = []
    for (const name of Object.keys(command.env)) {
      const standaloneShellVariable = command.words.length === 0 && shellVariables.get(command.where.split(':')[0]!)!.has(name)
      if (!standaloneShellVariable && !new RegExp(`\\b${name}\\b`).test(codeText)) problems.push(`nothing reads the setting ${name}`)
    }
    const [program, ...args] = command.words
    if (program === undefined) {
      // Settings alone (an .env excerpt): checked above.
    } else if (program === 'npm') {
      const [verb, script, separator, ...rest] = args
      if (verb === 'run') {
        if (script === undefined || packageJson.scripts[script] === undefined) problems.push(`no npm script ${script}`)
        else if (CLIS[script] !== undefined) problems.push(...await checkCli(CLIS[script]!, separator === '--' ? rest : []))
      } else if (!['install', 'ci', 'start', 'test'].includes(verb!)) {
        problems.push(`npm ${verb} is not a command the project documents`)
      }
    } else if (program === 'npx') {
      const [tool, file, ...rest] = args
      if (tool !== 'tsx' || file === undefined) problems.push(`npx ${tool}: only \`npx tsx FILE\` is expected`)
      else problems.push(...await checkFileCommand(file, rest, false))
    } else if (CLIS[program] !== undefined) {
      problems.push(...await checkCli(CLIS[program]!, args))
    } else if (program === 'bash') {
      problems.push(...await checkFileCommand(args[0]!, args.slice(1), false))
    } else if (/^(scripts|firmware)\//.test(program)) {
      problems.push(...await checkFileCommand(program, args, true))
    } else if (program === 'curl') {
      problems.push(...checkCurl(args, spec, ajv))
    } else if (!EXTERNAL.has(program)) {
      problems.push(`unknown program ${program}: teach test/docs-commands.test.ts how to check it`)
    }
    return { command, problems }
  }))
  for (const { command, problems } of checked) {
    t.same(problems, [], `${command.where}: ${[...Object.entries(command.env).map(([k, v]) => `${k}=${v}`), ...command.words].join(' ')}`)
  }
})

t.test('every repository path the documentation names exists', async (t) => {
  for (const file of await docFiles()) {
    const text = await readFile(join(ROOT, file), 'utf8')
    for (const [, path] of text.matchAll(/`((?:scripts|firmware|plugins|server|test|docs|deploy|bench|factory|ui|protocol)\/[\w./-]+)`/g)) {
      // Build output, or a file the reader makes (a certificate, .env): ignored by git.
      if (await run('git', ['check-ignore', '-q', path!], { cwd: ROOT }).then(() => true, () => false)) continue
      const exists = await access(join(ROOT, path!)).then(() => true, () => false)
      t.ok(exists, `${file} names ${path}`)
    }
  }
})
