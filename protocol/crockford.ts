// Crockford base32 (https://www.crockford.com/base32.html): no I, L, O or U, so codes survive being
// read aloud, typed from a label or copied by hand. Shared by device ids and claim codes.
import { randomBytes } from 'node:crypto'

export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

const ALIASES: Readonly<Record<string, string>> = { I: '1', L: '1', O: '0' }

/** `length` characters of 5 random bits each, read from crypto-random bytes. */
export function randomCrockford (length: number): string {
  const bytes = randomBytes(Math.ceil((length * 5) / 8))
  let out = ''
  let buffer = 0
  let bits = 0
  let index = 0
  while (out.length < length) {
    if (bits < 5) {
      buffer = (buffer << 8) | bytes[index++]!
      bits += 8
    }
    bits -= 5
    out += CROCKFORD_ALPHABET[(buffer >> bits) & 31]
    buffer &= (1 << bits) - 1
  }
  return out
}

/**
 * Canonical form of hand-typed Crockford text: upper case, hyphens and white space removed,
 * I/L read as 1 and O as 0. Returns undefined when a character is outside the alphabet (U included).
 */
export function normaliseCrockford (input: string): string | undefined {
  let out = ''
  for (const raw of input.toUpperCase()) {
    if (raw === '-' || /\s/.test(raw)) continue
    const char = ALIASES[raw] ?? raw
    if (!CROCKFORD_ALPHABET.includes(char)) return undefined
    out += char
  }
  return out
}
