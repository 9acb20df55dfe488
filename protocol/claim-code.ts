// Label claim codes (ARCHITECTURE §3 "Claiming a box"): a one-time code printed on the box label,
// proof of physical possession. 10 Crockford characters = 50 bits, shown as `XXXXX-XXXXX`.
//
// Why scrypt with a per-code salt: 50 bits is plenty against online guessing (the server rate-limits
// claims) but not against an offline search of a leaked table. An unsalted SHA-256 of a 50-bit code
// falls to one GPU in about a day, and one pass would crack every code at once. A per-code salt
// forces a separate search per code, and scrypt's memory-hard cost (N=2^10, r=8: 1 MiB and ~5 ms of
// CPU per guess) puts the expected 2^49 guesses per code at centuries of GPU time, while the factory
// can still hash 10,000 codes in seconds and the server checks one claim in a few milliseconds.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { normaliseCrockford, randomCrockford } from './crockford.js'
import { normaliseDeviceId } from './device-id.js'

export const CLAIM_CODE_LENGTH = 10
const GROUP = 5

export const CLAIM_CODE_SCRYPT = { N: 1024, r: 8, p: 1, keyLength: 32, saltLength: 16 } as const
// Bounds on parameters read back from storage, so a corrupted row cannot make verification hog CPU.
const MAX_SCRYPT_N = 1 << 16
const MAX_SCRYPT_R = 16
const MAX_SCRYPT_P = 4

/** A fresh code in display form, `XXXXX-XXXXX`. */
export function generateClaimCode (): string {
  return formatClaimCode(randomCrockford(CLAIM_CODE_LENGTH))
}

function formatClaimCode (canonical: string): string {
  return `${canonical.slice(0, GROUP)}-${canonical.slice(GROUP)}`
}

/** Display form of a typed code (any case, I/L/O aliases, any hyphens or spaces), or undefined. */
export function normaliseClaimCode (input: string): string | undefined {
  const canonical = normaliseCrockford(input)
  return canonical?.length === CLAIM_CODE_LENGTH ? formatClaimCode(canonical) : undefined
}

function scryptAsync (secret: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, keyLength, { ...options, maxmem: 256 * 1024 * 1024 }, (err, key) => { if (err) reject(err); else resolve(key) })
  })
}

/** Hashes the normalised code as `scrypt$N$r$p$<salt b64url>$<hash b64url>`. */
export async function hashClaimCode (code: string): Promise<string> {
  const normalised = normaliseClaimCode(code)
  if (normalised === undefined) throw new TypeError('not a claim code')
  const { N, r, p, keyLength, saltLength } = CLAIM_CODE_SCRYPT
  const salt = randomBytes(saltLength)
  const hash = await scryptAsync(normalised, salt, keyLength, { N, r, p })
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$')
}

interface StoredHash { N: number, r: number, p: number, salt: Buffer, hash: Buffer }

function parseStoredHash (stored: string): StoredHash | undefined {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number]
  const salt = Buffer.from(parts[4]!, 'base64url')
  const hash = Buffer.from(parts[5]!, 'base64url')
  const powerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0
  if (!powerOfTwo || N > MAX_SCRYPT_N) return undefined
  if (!Number.isInteger(r) || r < 1 || r > MAX_SCRYPT_R || !Number.isInteger(p) || p < 1 || p > MAX_SCRYPT_P) return undefined
  if (salt.length < 8 || hash.length < 16) return undefined
  return { N, r, p, salt, hash }
}

export function isClaimCodeHash (stored: string): boolean {
  return parseStoredHash(stored) !== undefined
}

/** Constant-time check of a typed code against its stored hash; false for any malformed input. */
export async function verifyClaimCode (code: string, stored: string): Promise<boolean> {
  const parsed = parseStoredHash(stored)
  const normalised = normaliseClaimCode(code)
  if (parsed === undefined || normalised === undefined) return false
  const candidate = await scryptAsync(normalised, parsed.salt, parsed.hash.length, { N: parsed.N, r: parsed.r, p: parsed.p })
  return timingSafeEqual(candidate, parsed.hash)
}

export interface ClaimLink {
  deviceId: string
  code: string
}

/** `https://<console>/claim?device=<id>&code=<code>`; a console under a path prefix keeps it. */
export function buildClaimUrl (consoleUrl: string, link: ClaimLink): string {
  return claimPageUrl(consoleUrl, { device: link.deviceId, code: link.code })
}

function claimPageUrl (consoleUrl: string, query: Record<string, string>): string {
  const base = new URL(consoleUrl)
  if (!base.pathname.endsWith('/')) base.pathname += '/'
  const url = new URL('claim', base)
  url.search = new URLSearchParams(query).toString()
  return url.toString()
}

/** The device id and code of a claim URL (normalised), or undefined if it is not one. */
export function parseClaimUrl (text: string): ClaimLink & { consoleUrl: string } | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return undefined
  }
  if (!url.pathname.endsWith('/claim')) return undefined
  const deviceId = normaliseDeviceId(url.searchParams.get('device') ?? '')
  const code = normaliseClaimCode(url.searchParams.get('code') ?? '')
  if (deviceId === undefined || code === undefined) return undefined
  const consoleUrl = new URL(url.pathname.slice(0, -'claim'.length), url.origin).toString()
  return { deviceId, code, consoleUrl }
}

/**
 * What an online box shows before it is claimed: `https://<console>/claim?device=<id>`. The box
 * does not know its label code (only the label and the server's hash do), so the console's claim
 * page asks the owner to type it.
 */
export function buildDeviceClaimUrl (consoleUrl: string, deviceId: string): string {
  return claimPageUrl(consoleUrl, { device: deviceId })
}
