import t from 'tap'
import { generateDeviceId, isDeviceId, normaliseDeviceId } from '../../protocol/device-id.js'
import { CROCKFORD_ALPHABET, normaliseCrockford, randomCrockford } from '../../protocol/crockford.js'

t.test('generated ids are canonical, distinct and use the whole alphabet', async (t) => {
  const ids = new Set(Array.from({ length: 2000 }, generateDeviceId))
  t.equal(ids.size, 2000)
  t.same([...ids].filter((id) => !isDeviceId(id)), [], 'all canonical')
  const seen = new Set([...ids].map((id) => id.slice('ocb_'.length)).join(''))
  t.same([...seen].sort().join(''), CROCKFORD_ALPHABET, 'every Crockford symbol appears, none other')
})

t.test('random characters are uniform enough (no stuck bits)', async (t) => {
  const counts = new Map<string, number>()
  const text = randomCrockford(32 * 1000)
  t.equal(text.length, 32000)
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1)
  for (const [char, count] of counts) t.ok(count > 800 && count < 1200, `${char}: ${count}`)
})

t.test('isDeviceId accepts only the canonical form', async (t) => {
  t.ok(isDeviceId('ocb_0123456789ABCDEF'))
  t.notOk(isDeviceId('ocb_0123456789abcdef'), 'lower case')
  t.notOk(isDeviceId('OCB_0123456789ABCDEF'), 'upper-case prefix')
  t.notOk(isDeviceId('ocb_0123456789ABCDEI'), 'I is not a symbol')
  t.notOk(isDeviceId('ocb_0123456789ABCDEU'), 'U is not a symbol')
  t.notOk(isDeviceId('ocb_0123456789ABCDE'), 'too short')
  t.notOk(isDeviceId('ocb_0123456789ABCDEF0'), 'too long')
  t.notOk(isDeviceId(42))
})

t.test('normalising typed ids', async (t) => {
  t.equal(normaliseDeviceId('ocb_0123456789abcdef'), 'ocb_0123456789ABCDEF')
  t.equal(normaliseDeviceId('OCB_0123-4567-89AB-CDEF'), 'ocb_0123456789ABCDEF', 'hyphens and prefix case')
  t.equal(normaliseDeviceId('  ocb_o1iL 4567 89ab cdef '), 'ocb_0111456789ABCDEF', 'aliases O->0, I/L->1, spaces')
  t.equal(normaliseDeviceId('0123456789ABCDEF'), 'ocb_0123456789ABCDEF', 'prefix may be left out')
  t.equal(normaliseDeviceId('ocb_0123456789ABCDEU'), undefined, 'U is rejected, not guessed')
  t.equal(normaliseDeviceId('ocb_0123456789ABCDE'), undefined, 'too short')
  t.equal(normaliseDeviceId('ocb_0123456789ABCDEF1'), undefined, 'too long')
  t.equal(normaliseCrockford('a-b c'), 'ABC')
})
