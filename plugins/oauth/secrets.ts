// Opaque secrets (session ids, refresh, API and one-time tokens) and the server's own keys.
// Only a SHA-256 of an opaque secret is stored, so a database leak reveals no usable credential.
import { createHash, createHmac, generateKeyPairSync, createPrivateKey, createPublicKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'

export const TOKEN_PREFIX = { session: 'ocs_', refresh: 'ocr_', api: 'ocp_', oneTime: 'oco_' } as const

export function newToken (prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`
}

export function hashToken (token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export function safeEqual (a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

export interface ServerKeys {
  signing: { kid: string, privateKey: KeyObject, publicKey: KeyObject }
  /** Keys the CSRF tokens derived from session ids. */
  csrfSecret: Buffer
}

interface KeyFile { signingKey: Record<string, string>, kid: string, csrfSecret: string }

export const KEY_FILE = 'oauth-keys.json'

/**
 * Reads a JSON file of secrets from the data dir (mode 0600), creating it with `create` on first
 * start. The file is written with `wx` so two processes starting together cannot overwrite each
 * other's keys: the loser reads the winner's file.
 */
export async function loadKeyFile<T> (dataDir: string, name: string, create: () => T): Promise<T> {
  const file = path.join(dataDir, name)
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const created = create()
  await mkdir(dataDir, { recursive: true })
  try {
    await writeFile(file, JSON.stringify(created), { mode: 0o600, flag: 'wx' })
    return created
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return JSON.parse(await readFile(file, 'utf8')) as T
  }
}

export async function loadServerKeys (dataDir: string): Promise<ServerKeys> {
  const stored = await loadKeyFile<KeyFile>(dataDir, KEY_FILE, () => {
    const { privateKey } = generateKeyPairSync('ed25519')
    return { signingKey: privateKey.export({ format: 'jwk' }) as Record<string, string>, kid: randomBytes(8).toString('hex'), csrfSecret: randomBytes(32).toString('base64') }
  })
  const privateKey = createPrivateKey({ key: stored.signingKey, format: 'jwk' })
  return {
    signing: { kid: stored.kid, privateKey, publicKey: createPublicKey(privateKey) },
    csrfSecret: Buffer.from(stored.csrfSecret, 'base64')
  }
}

/** Synchronizer token bound to one session: only whoever holds the session id can compute it. */
export function csrfTokenFor (keys: ServerKeys, sessionToken: string): string {
  return createHmac('sha256', keys.csrfSecret).update(sessionToken).digest('base64url')
}
