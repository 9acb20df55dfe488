// OpenClaw versions installed on the box, side by side, and which one runs:
//
//   <root>/versions/<version>/lib/node_modules/openclaw   `npm install --global --prefix` layout
//   <root>/current -> versions/<version>                    the one the gateway command runs
//
// The gateway command names `<root>/current/...` (PACKAGE_PLACEHOLDER), so switching versions is
// one atomic rename of a symlink, and going back is the same rename again. An install goes to a
// scratch directory first and is renamed into place only when complete: a power cut or a failed
// download never leaves a half-installed version that looks usable.
import { execFile } from 'node:child_process'
import { mkdir, readFile, readlink, readdir, rename, rm, symlink } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { promisify } from 'node:util'
import { GATEWAY_VERSION_PATTERN } from '../../protocol/payloads.js'

const run = promisify(execFile)

/** In the gateway command line: replaced by the package root of the current version. */
export const PACKAGE_PLACEHOLDER = '{package}'
export const PACKAGE_NAME = 'openclaw'
/** In `packageSpec`: replaced by the version asked for. */
export const VERSION_PLACEHOLDER = '{version}'

export interface GatewayInstallOptions {
  /** npm executable (the box's, or one run by the gateway's Node). */
  npm: string
  /** npm spec of a version; default `openclaw@{version}`. A mirror of tarballs works too: `/srv/openclaw-{version}.tgz`. */
  packageSpec: string
  /** npm registry URL; npm's own default (or .npmrc) when unset. */
  registry?: string
  /** npm cache directory; npm's own default when unset. */
  cache?: string
  installTimeoutMs: number
  /** How long the gateway may take to answer its health check after a start (restarted after that) or an upgrade (rolled back). */
  healthTimeoutMs: number
  /** Wait before retrying a failed install of the cloud's desired version (doubling, up to 6 h); default DEFAULT_INSTALL_RETRY_MS. */
  retryMs?: number
}

export const DEFAULT_INSTALL_RETRY_MS = 60_000

export const DEFAULT_INSTALL: GatewayInstallOptions = {
  npm: 'npm',
  packageSpec: `${PACKAGE_NAME}@${VERSION_PLACEHOLDER}`,
  // OpenClaw is ~650 MB of packages: minutes on a slow home line.
  installTimeoutMs: 30 * 60_000,
  // 20-50 s to /healthz on a loaded 2-core machine (docs/openclaw-gateway.md); a box is slower.
  healthTimeoutMs: 5 * 60_000
}

export interface GatewayVersions {
  readonly root: string
  /** The package root through the `current` link: what PACKAGE_PLACEHOLDER becomes. */
  readonly currentPackage: string
  /** The version `current` points at, if any. */
  current: () => Promise<string | undefined>
  installed: (version: string) => Promise<boolean>
  /** Installs a version unless it is there already; rejects with npm's own reason. */
  install: (version: string) => Promise<void>
  /** Points `current` at an installed version, atomically. */
  activate: (version: string) => Promise<void>
  remove: (version: string) => Promise<void>
  /** Removes every installed version except those named. */
  prune: (keep: string[]) => Promise<void>
}

export const gatewayRoot = (dataDir: string): string => join(dataDir, 'gateway')

const packageDir = (prefix: string): string => join(prefix, 'lib', 'node_modules', PACKAGE_NAME)

function assertVersion (version: string): void {
  if (!GATEWAY_VERSION_PATTERN.test(version)) throw new TypeError(`"${version}" is not an exact OpenClaw version (such as 2026.9.6)`)
}

/** npm's own words, without its log-file pointers: enough to say why, short enough for a command result. */
function npmReason (err: unknown): string {
  const { stderr, killed, message } = err as { stderr?: string, killed?: boolean, message: string }
  if (killed === true) return 'npm did not finish in time'
  const lines = (stderr ?? '').split('\n')
    .map((line) => line.replace(/^npm (error|ERR!)\s*/, '').trim())
    .filter((line) => line !== '' && !/^npm warn/i.test(line) && !/complete log of this run|^[a-z]+$|^(code|syscall|path|errno) /i.test(line))
  return (lines.slice(0, 3).join(' ') || message).slice(0, 600)
}

export function createGatewayVersions (root: string, install: Pick<GatewayInstallOptions, 'npm' | 'packageSpec' | 'registry' | 'cache' | 'installTimeoutMs'>): GatewayVersions {
  const versionsDir = join(root, 'versions')
  const currentLink = join(root, 'current')
  const versionDir = (version: string): string => { assertVersion(version); return join(versionsDir, version) }

  async function installedVersionOf (prefix: string): Promise<string | undefined> {
    try {
      return (JSON.parse(await readFile(join(packageDir(prefix), 'package.json'), 'utf8')) as { version?: string }).version
    } catch {
      return undefined
    }
  }

  const versions: GatewayVersions = {
    root,
    currentPackage: packageDir(currentLink),
    async current () {
      const target = await readlink(currentLink).catch(() => undefined)
      return target === undefined ? undefined : basename(target)
    },
    async installed (version) {
      return (await installedVersionOf(versionDir(version))) === version
    },
    async install (version) {
      const dir = versionDir(version)
      if (await versions.installed(version)) return
      await mkdir(versionsDir, { recursive: true })
      const scratch = `${dir}.partial`
      await rm(scratch, { recursive: true, force: true })
      const spec = install.packageSpec.replaceAll(VERSION_PLACEHOLDER, version)
      // --ignore-scripts: OpenClaw's native addons ship prebuilt and its postinstall only tidies an
      // in-place upgrade (docs/openclaw-gateway.md); a box runs no third-party install scripts.
      const args = ['install', '--global', '--prefix', scratch, '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=warn',
        ...(install.registry === undefined ? [] : ['--registry', install.registry]),
        ...(install.cache === undefined ? [] : ['--cache', install.cache]),
        spec]
      try {
        await run(install.npm, args, { timeout: install.installTimeoutMs, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' })
        const got = await installedVersionOf(scratch)
        if (got !== version) throw new Error(`${spec} installed ${got === undefined ? 'no openclaw package' : `openclaw ${got}`}, not ${version}`)
      } catch (err) {
        await rm(scratch, { recursive: true, force: true })
        throw new Error(`installing openclaw ${version} failed: ${err instanceof Error && !('stderr' in err) ? err.message : npmReason(err)}`, { cause: err })
      }
      await rm(dir, { recursive: true, force: true })
      await rename(scratch, dir)
    },
    async activate (version) {
      versionDir(version)
      await mkdir(root, { recursive: true })
      const next = `${currentLink}.next`
      await rm(next, { force: true })
      await symlink(join('versions', version), next)
      await rename(next, currentLink)
    },
    async remove (version) {
      await rm(versionDir(version), { recursive: true, force: true })
    },
    async prune (keep) {
      const entries = await readdir(versionsDir).catch(() => [] as string[])
      for (const entry of entries) {
        if (!keep.includes(entry)) await rm(join(versionsDir, entry), { recursive: true, force: true })
      }
    }
  }
  return versions
}
