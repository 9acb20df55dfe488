// Sign in with WeChat through passport-wechat. Two apps, one provider: a website application shows
// a QR code (`/connect/qrconnect`, scope `snsapi_login`) to desktop browsers; an official account
// signs in browsers inside WeChat directly (`/connect/oauth2/authorize`, scope `snsapi_userinfo`).
// Both end in `/sns/oauth2/access_token` and `/sns/userinfo`. The person is their `unionid` (the same
// across apps of one Open Platform account), else the app's `openid`. WeChat gives no email.
// passport-wechat checks no `state` (the routes do) and has WeChat's hosts built in (wechat-oauth), so
// its client is pointed at the configured ones; WeChat's tokens are kept only for the one flow.
import { createRequire } from 'node:module'
import type { Strategy } from 'passport'
import type { Config } from '../../../server/config.js'
import type { ExternalProvider, FlowContext } from './provider.js'
import { passportProvider } from './strategy-runner.js'

const require = createRequire(import.meta.url)
const WeChatStrategy = require('passport-wechat') as { Strategy: new (options: Record<string, unknown>, verify: (...args: unknown[]) => void) => Strategy }

const WECHAT_OPEN = 'https://open.weixin.qq.com'
const WECHAT_API = 'https://api.weixin.qq.com'

interface WeChatClient {
  request: (url: string, options: unknown, callback: unknown) => void
  getAuthorizeURL: (redirect: string, state: string, scope: string) => string
  getAuthorizeURLForWebsite: (redirect: string, state: string, scope: string) => string
}

interface WeChatApp { appID: string, appSecret: string, client: 'web' | 'wechat', scope: 'snsapi_login' | 'snsapi_userinfo' }

const IN_WECHAT = /MicroMessenger/i

export function wechatProvider (config: Config): ExternalProvider | undefined {
  const website: WeChatApp | undefined = config.wechatAppId !== undefined && config.wechatAppSecret !== undefined
    ? { appID: config.wechatAppId, appSecret: config.wechatAppSecret, client: 'web', scope: 'snsapi_login' }
    : undefined
  const officialAccount: WeChatApp | undefined = config.wechatMpAppId !== undefined && config.wechatMpAppSecret !== undefined
    ? { appID: config.wechatMpAppId, appSecret: config.wechatMpAppSecret, client: 'wechat', scope: 'snsapi_userinfo' }
    : undefined
  if (website === undefined && officialAccount === undefined) return undefined
  const open = config.wechatOpenUrl.replace(/\/$/, '')
  const api = config.wechatApiUrl.replace(/\/$/, '')
  const appOf = (variant: string | undefined): WeChatApp => (variant === 'wechat' ? officialAccount : website)!

  function strategy (flow: FlowContext, variant: string | undefined): Strategy {
    const app = appOf(variant)
    const tokens = new Map<string, unknown>()
    const created = new WeChatStrategy.Strategy({
      ...app,
      callbackURL: flow.callbackUrl,
      lang: 'zh_CN',
      // The token lives as long as this one flow's strategy: long enough to read /sns/userinfo.
      getToken: (openid: string, done: (err: null, token: unknown) => void) => { done(null, tokens.get(openid)) },
      saveToken: (openid: string, token: unknown, done: (err: null) => void) => { tokens.set(openid, token); done(null) }
    }, (...args: unknown[]) => {
      // (accessToken, refreshToken, profile, expiresIn, done)
      const done = args[4] as (err: null, user: unknown) => void
      done(null, args[2])
    })
    pointAt((created as unknown as { _oauth: WeChatClient })._oauth, open, api)
    return created
  }

  return passportProvider({
    id: 'wechat',
    name: 'WeChat',
    // Inside WeChat (its browser says MicroMessenger) the official account needs no QR code.
    variant: (flow) => officialAccount !== undefined && (IN_WECHAT.test(flow.userAgent ?? '') || website === undefined) ? 'wechat' : 'web',
    strategy,
    options: (flow, variant) => ({ state: flow.state, scope: appOf(variant).scope }),
    profile (user) {
      const profile = user as { openid?: string, unionid?: string }
      const subject = profile.unionid ?? profile.openid
      if (subject === undefined) throw new Error('WeChat answered without an openid')
      return { subject, emailVerified: false }
    }
  })
}

/** Sends wechat-oauth's requests and authorization pages to the configured hosts. */
function pointAt (client: WeChatClient, open: string, api: string): void {
  if (open === WECHAT_OPEN && api === WECHAT_API) return
  const request = client.request.bind(client)
  const authorize = client.getAuthorizeURL.bind(client)
  const qrConnect = client.getAuthorizeURLForWebsite.bind(client)
  client.request = (url, options, callback) => { request(url.replace(WECHAT_API, api), options, callback) }
  client.getAuthorizeURL = (...args) => authorize(...args).replace(WECHAT_OPEN, open)
  client.getAuthorizeURLForWebsite = (...args) => qrConnect(...args).replace(WECHAT_OPEN, open)
}
