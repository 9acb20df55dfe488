// Sign in with WeChat end to end over HTTP, against a stand-in speaking WeChat's published endpoints:
// the QR-code login of a website app for desktop browsers, the official account's login inside
// WeChat's browser, one person (unionid) across both. WeChat gives no email, so it never links by one.
import t from 'tap'
import { forEachDialect } from '../helpers/app.js'
import { Browser } from '../helpers/http-browser.js'
import { startWeChatStandin, type WeChatPerson } from '../helpers/provider-standins/wechat.js'
import { externalJourney, identitiesOf, me, startExternalServer } from './external.js'

const apps = { website: { id: 'wx-website-appid', secret: 'wx-website-secret' }, officialAccount: { id: 'wx-mp-appid', secret: 'wx-mp-secret' } }
const IN_WECHAT = 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.50.2701(0x28003233) NetType/WIFI Language/zh_CN'

forEachDialect(t, 'WeChat: QR login and in-WeChat login, link, state, never by email, unlink', async (t, dialect) => {
  const wechat = await startWeChatStandin(t, apps)
  const server = await startExternalServer(t, dialect, {
    wechatAppId: apps.website.id,
    wechatAppSecret: apps.website.secret,
    wechatMpAppId: apps.officialAccount.id,
    wechatMpAppSecret: apps.officialAccount.secret,
    wechatOpenUrl: wechat.url,
    wechatApiUrl: wechat.url
  })
  await externalJourney<WeChatPerson>(t, server, {
    provider: 'wechat',
    givesEmail: false,
    standin: wechat,
    person: (subject) => ({ unionid: `union-${subject}`, nickname: subject })
  })
  t.ok(wechat.authorizations.every((record) => record.page === 'qrconnect' && record.clientId === apps.website.id && record.state !== undefined), 'desktop browsers got the QR-code page of the website app, with state')

  // The same person inside WeChat: the official account signs them in, as the same account (unionid).
  wechat.signInAs({ unionid: 'union-mobile', nickname: 'mobile' })
  const desktop = new Browser()
  const qr = await desktop.follow(`${server.origin}/api/auth/wechat`, (location) => !location.includes('/api/') && location.startsWith(server.origin))
  t.equal(qr.location, `${server.origin}/`)
  const desktopMe = (await me(server, desktop)).body
  t.match(desktopMe.email, /^wechat-[0-9a-f]{20}@users\.invalid$/, 'a WeChat-only account has a placeholder address that can receive nothing')
  t.equal(desktopMe.emailVerified, false)

  const phone = new Browser()
  const start = await phone.request(`${server.origin}/api/auth/wechat`, { headers: { 'user-agent': IN_WECHAT } })
  t.equal(start.status, 302)
  const toWeChat = new URL(start.headers.get('location')!)
  t.equal(toWeChat.pathname, '/connect/oauth2/authorize', 'inside WeChat: the official account page, no QR code')
  t.equal(toWeChat.searchParams.get('appid'), apps.officialAccount.id)
  t.equal(toWeChat.searchParams.get('scope'), 'snsapi_userinfo')
  const back = await phone.follow(toWeChat.toString(), (location) => !location.includes('/api/') && location.startsWith(server.origin))
  t.equal(back.location, `${server.origin}/`)
  t.equal((await me(server, phone)).body.id, desktopMe.id, 'the same person through either app is one account')
  t.match(await identitiesOf(server, phone), [{ provider: 'wechat', providerName: 'WeChat', email: null }])
  t.same(wechat.refusals, [])
})
