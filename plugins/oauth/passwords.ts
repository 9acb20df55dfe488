// Password hashes (scrypt, per-user salt) and the strength policy. A hash records its parameters,
// `scrypt$<log2 N>$<r>$<p>$<salt>$<key>`, so the cost can be raised later without breaking old hashes.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

const R = 8
const P = 1
const KEY_LENGTH = 32

function derive (password: string, salt: Buffer, cost: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** cost
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r }
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) => { if (err === null) resolve(key); else reject(err) })
  })
}

export async function hashPassword (password: string, cost: number): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, cost, R, P)
  return ['scrypt', cost, R, P, salt.toString('base64url'), key.toString('base64url')].join('$')
}

interface Parsed { cost: number, r: number, p: number, salt: Buffer, key: Buffer }

function parse (encoded: string): Parsed | undefined {
  const [kind, cost, r, p, salt, key] = encoded.split('$')
  if (kind !== 'scrypt' || salt === undefined || key === undefined) return undefined
  return { cost: Number(cost), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') }
}

export async function verifyPassword (password: string, encoded: string): Promise<boolean> {
  const parsed = parse(encoded)
  if (parsed === undefined) return false
  const key = await derive(password, parsed.salt, parsed.cost, parsed.r, parsed.p)
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key)
}

/** True when a hash was made with a lower cost than the server now uses. */
export function needsRehash (encoded: string, cost: number): boolean {
  const parsed = parse(encoded)
  return parsed === undefined || parsed.cost < cost
}

// A small sample of the most common passwords that pass the length rule (from public breach lists).
const COMMON = new Set([
  '1234567890', '0123456789', '1234567891', '12345678910', '1q2w3e4r5t', 'qwertyuiop', 'password12', 'password123',
  'password1234', 'passw0rd123', 'iloveyou12', 'abcdefghij', 'abc1234567', 'qwerty1234', 'qwerty12345', '1qaz2wsx3edc',
  'asdfghjkl1', 'zxcvbnm123', 'letmein123', 'welcome123', 'administrator', 'football123', 'baseball123', 'princess12',
  'sunshine12', 'superman12', 'trustno1234', 'changeme123', '11111111111', '0000000000', 'aaaaaaaaaa', 'starwars12'
])

export const MIN_PASSWORD_LENGTH = 10

/** Why a password is too weak, or undefined when it is acceptable. */
export function passwordWeakness (password: string, email: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `use at least ${MIN_PASSWORD_LENGTH} characters`
  const lower = password.toLowerCase()
  if (COMMON.has(lower)) return 'it is one of the most common passwords'
  const localPart = email.split('@')[0]?.toLowerCase() ?? ''
  if (localPart.length >= 3 && lower.includes(localPart)) return 'it contains your email name'
  return undefined
}
