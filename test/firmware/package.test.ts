// The box's Debian package, built as a release would build it, then run from its own files: the
// Node 24 runtime and node_modules inside it start the daemon, which serves its setup page and
// draws the Wi-Fi QR with the packaged sharp. The arm64 build carries arm64 binaries.
import { execFile, spawn } from 'node:child_process'
import { open, readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { tempDir } from '../helpers/app.js'
import { displayFile, until } from '../helpers/box-app.js'
import { writeCredentials } from '../helpers/box.js'
import { freePort } from '../helpers/process.js'
import { decodeQrImage } from '../helpers/qr.js'

const run = promisify(execFile)
const REPO = join(import.meta.dirname, '..', '..')
const BUILD = join(REPO, 'firmware', 'packaging', 'build-deb.sh')
const { version } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string }
t.setTimeout(600_000)

async function buildDeb (arch: string, out: string): Promise<string> {
  // Fastest compression: the same contents as a release build, in less time.
  const { stdout } = await run(BUILD, ['--arch', arch, '--out', out], { maxBuffer: 16 * 1024 * 1024, timeout: 480_000, env: { ...process.env, DEB_GZIP_LEVEL: '1' } })
  return stdout.trim()
}

/** e_machine of an ELF file: 0x3e x86-64, 0xb7 AArch64. */
async function elfMachine (file: string): Promise<number> {
  const handle = await open(file)
  try {
    const header = Buffer.alloc(20)
    await handle.read(header, 0, 20, 0)
    if (header.toString('latin1', 1, 4) !== 'ELF') throw new Error(`${file} is not an ELF file`)
    return header.readUInt16LE(18)
  } finally {
    await handle.close()
  }
}

t.test('the amd64 package installs a daemon that runs from its own files', async (t) => {
  const dir = await tempDir(t, 'box-deb-')
  const deb = await buildDeb('amd64', join(dir, 'out'))
  t.equal(deb, join(dir, 'out', `openclaw-box_${version}_amd64.deb`), 'named package_version_arch.deb')

  const field = async (name: string): Promise<string> => (await run('dpkg-deb', ['-f', deb, name])).stdout.trim()
  t.equal(await field('Package'), 'openclaw-box')
  t.equal(await field('Version'), version, 'the repository\'s version')
  t.equal(await field('Architecture'), 'amd64')
  t.match(await field('Depends'), /network-manager/, 'depends on NetworkManager (Wi-Fi and hotspot)')

  const root = join(dir, 'root')
  await run('dpkg-deb', ['-x', deb, root])
  const control = join(dir, 'control')
  await run('dpkg-deb', ['-e', deb, control])
  const conffiles = (await readFile(join(control, 'conffiles'), 'utf8')).trim().split('\n')
  t.same(conffiles, ['/etc/openclaw-box/environment', '/etc/NetworkManager/dnsmasq-shared.d/openclaw-box.conf'], 'configuration survives upgrades')
  for (const file of conffiles) t.ok((await stat(join(root, file))).isFile(), `${file} is in the package`)
  for (const script of ['postinst', 'prerm', 'postrm']) {
    await t.resolves(run('sh', ['-n', join(control, script)]), `${script} is valid shell`)
  }

  const unit = await readFile(join(root, 'lib/systemd/system/openclaw-box.service'), 'utf8')
  const execStart = /^ExecStart=(\S+)/m.exec(unit)?.[1]
  t.equal(execStart, '/usr/bin/openclaw-box', 'the unit starts the packaged command')
  t.ok(((await stat(join(root, execStart!))).mode & 0o111) !== 0, 'which is executable')
  t.match(await readFile(join(root, execStart!), 'utf8'), /\/opt\/openclaw-box\/node\/bin\/node/, 'on the packaged Node runtime')

  const app = join(root, 'opt/openclaw-box')
  const node = join(app, 'node/bin/node')
  t.match((await run(node, ['-v'])).stdout, /^v24\./, 'Node 24 is inside the package')
  t.equal((await run(node, [join(app, 'dist/firmware/cli.js'), '--version'])).stdout.trim(), version, 'the daemon reports the package version')

  const { file } = await writeCredentials(dir)
  const data = join(dir, 'data')
  const [apiPort, setupPort] = [await freePort(), await freePort()]
  const daemon = spawn(node, [join(app, 'dist/firmware/cli.js'), 'run', '--simulate', '--credentials', file, '--data', data,
    '--api-port', String(apiPort), '--setup-port', String(setupPort), '--dns-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  daemon.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  t.teardown(() => { daemon.kill('SIGKILL') })
  const state = async (): Promise<string | undefined> =>
    await fetch(`http://127.0.0.1:${apiPort}/api/state`).then(async (res) => ((await res.json()) as { state: string }).state, () => undefined)
  await until('the packaged daemon to reach setup', async () => (await state()) === 'setup', 60_000)
    .catch((err: Error) => { throw new Error(`${err.message}; its stderr: ${stderr.slice(0, 2000)}`) })
  t.pass('the packaged daemon boots into setup')
  const page = await (await fetch(`http://127.0.0.1:${setupPort}/`)).text()
  t.match(page, /box-setup\.js/, 'the setup page loads its script')
  const script = await fetch(`http://127.0.0.1:${setupPort}/box-setup.js`)
  t.equal(script.status, 200, 'and the packaged script is served')
  await until('the display image', async () => (await decodeQrImage(displayFile(data)).catch(() => undefined)) !== undefined, 30_000)
  t.match(await decodeQrImage(displayFile(data)), /^WIFI:T:WPA;S:/, 'the display shows the Wi-Fi join QR, drawn by the packaged sharp')
  const exited = new Promise<number | null>((resolve) => daemon.once('exit', resolve))
  daemon.kill('SIGTERM')
  t.equal(await exited, 0, 'SIGTERM stops it cleanly')
})

t.test('the arm64 package carries arm64 binaries (Raspberry Pi)', async (t) => {
  const dir = await tempDir(t, 'box-deb-arm64-')
  const deb = await buildDeb('arm64', join(dir, 'out'))
  t.equal((await run('dpkg-deb', ['-f', deb, 'Architecture'])).stdout.trim(), 'arm64')
  const root = join(dir, 'root')
  await run('dpkg-deb', ['-x', deb, root])
  const app = join(root, 'opt/openclaw-box')
  const AARCH64 = 0xb7
  t.equal(await elfMachine(join(app, 'node/bin/node')), AARCH64, 'the Node runtime is built for arm64')
  const sharpBuilds = await readdir(join(app, 'node_modules/@img'))
  t.ok(sharpBuilds.includes('sharp-linux-arm64'), `sharp's arm64 build is installed (${sharpBuilds.join(', ')})`)
  t.notOk(sharpBuilds.includes('sharp-linux-x64'), 'and not the build machine\'s')
  const addon = (await readdir(join(app, 'node_modules/@img/sharp-linux-arm64/lib'))).find((name) => name.endsWith('.node'))
  t.ok(addon, 'sharp\'s native addon is there')
  t.equal(await elfMachine(join(app, 'node_modules/@img/sharp-linux-arm64/lib', addon!)), AARCH64, 'for arm64')
})
