import t from 'tap'
import {
  buildClaimUrl, generateClaimCode, hashClaimCode, isClaimCodeHash, normaliseClaimCode, parseClaimUrl, verifyClaimCode
} from '../../protocol/claim-code.js'

t.test('codes are XXXXX-XXXXX Crockford and distinct', async (t) => {
  const codes = new Set(Array.from({ length: 1000 }, generateClaimCode))
  t.equal(codes.size, 1000)
  t.same([...codes].filter((code) => !/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/.test(code)), [])
})

t.test('typed codes normalise', async (t) => {
  t.equal(normaliseClaimCode('abcde-fghjk'), 'ABCDE-FGHJK')
  t.equal(normaliseClaimCode('oiL2345678'), '0112345678'.replace(/^(.{5})/, '$1-'))
  t.equal(normaliseClaimCode(' ab cde fghjk '), 'ABCDE-FGHJK')
  t.equal(normaliseClaimCode('ABCDE-FGHJ'), undefined, 'too short')
  t.equal(normaliseClaimCode('ABCDE-FGHJU'), undefined, 'U is not a symbol')
})

t.test('hash verifies the code however it is typed, and nothing else', async (t) => {
  const code = 'K3M9P-7QW2Z'
  const stored = await hashClaimCode(code)
  t.match(stored, /^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/)
  t.ok(isClaimCodeHash(stored))
  t.not(await hashClaimCode(code), stored, 'salted: same code, different hash')
  t.ok(await verifyClaimCode(code, stored))
  t.ok(await verifyClaimCode('k3m9p7qw2z', stored), 'lower case, no hyphen')
  t.notOk(await verifyClaimCode('K3M9P-7QW2Y', stored), 'one character off')
  t.notOk(await verifyClaimCode('garbage', stored))
  t.notOk(await verifyClaimCode(code, stored.replace('$1024$', '$1000$')), 'N not a power of two')
  t.notOk(await verifyClaimCode(code, stored.replace('$1024$', `$${2 ** 20}$`)), 'N too large to be ours')
  t.notOk(await verifyClaimCode(code, 'sha256$abc'))
  await t.rejects(hashClaimCode('short'), TypeError)
})

t.test('claim URLs round-trip, also under a path prefix', async (t) => {
  const link = { deviceId: 'ocb_0123456789ABCDEF', code: 'ABCDE-FGHJK' }
  const url = buildClaimUrl('https://console.example.com', link)
  t.equal(url, 'https://console.example.com/claim?device=ocb_0123456789ABCDEF&code=ABCDE-FGHJK')
  t.same(parseClaimUrl(url), { ...link, consoleUrl: 'https://console.example.com/' })
  const prefixed = buildClaimUrl('https://example.com/cloud', link)
  t.equal(prefixed, 'https://example.com/cloud/claim?device=ocb_0123456789ABCDEF&code=ABCDE-FGHJK')
  t.same(parseClaimUrl(prefixed), { ...link, consoleUrl: 'https://example.com/cloud/' })
  t.same(parseClaimUrl('https://c.example/claim?device=OCB_0123456789abcdef&code=abcdefghjk'), { ...link, consoleUrl: 'https://c.example/' })
  t.equal(parseClaimUrl('https://c.example/other?device=ocb_0123456789ABCDEF&code=ABCDE-FGHJK'), undefined)
  t.equal(parseClaimUrl('https://c.example/claim?device=ocb_0123&code=ABCDE-FGHJK'), undefined)
  t.equal(parseClaimUrl('not a url'), undefined)
})
