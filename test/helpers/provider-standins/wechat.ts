// Stand-in for WeChat's web sign-in as its docs publish it: `GET /connect/qrconnect` (website app,
// scope snsapi_login) and `GET /connect/oauth2/authorize` (official account, inside WeChat) on
// open.weixin.qq.com; `GET /sns/oauth2/access_token` and `GET /sns/userinfo` on api.weixin.qq.com,
// answering errors as HTTP 200 with `{errcode, errmsg}`. Each app sees its own `openid` for a person;
// `unionid` is the same across apps of one Open Platform account. No PKCE: WeChat has none.
import { createHash } from 'node:crypto'
import type { TestContext } from '../app.js'
import { authorizeRecord, createOAuth2Core, json, serveStandin, type AuthorizeRecord, type StandinClient } from './oauth2.js'

export interface WeChatPerson { unionid: string, nickname: string }

export interface WeChatStandin {
  url: string
  signInAs: (person: WeChatPerson) => void
  /** Authorizations per page: `qrconnect` or `oauth2/authorize`. */
  authorizations: Array<AuthorizeRecord & { page: string }>
  refusals: string[]
}

const openidOf = (appid: string, person: WeChatPerson): string => `o${createHash('sha256').update(`${appid}/${person.unionid}`).digest('base64url').slice(0, 27)}`

export async function startWeChatStandin (t: TestContext, apps: { website: StandinClient, officialAccount: StandinClient }): Promise<WeChatStandin> {
  const cores = new Map([apps.website, apps.officialAccount].map((app) => [app.id, createOAuth2Core<WeChatPerson>(app)]))
  const scopes = new Map([[apps.website.id, 'snsapi_login'], [apps.officialAccount.id, 'snsapi_userinfo']])
  const authorizations: WeChatStandin['authorizations'] = []
  const refusals: string[] = []
  const tokens = new Map<string, { person: WeChatPerson, appid: string }>()

  const authorize = (page: string, appid: string | null, url: URL, res: Parameters<Parameters<typeof serveStandin>[1][string]>[3]): void => {
    const core = appid === null ? undefined : cores.get(appid)
    if (core === undefined || url.searchParams.get('scope') !== scopes.get(appid!)) { json(res, 200, { errcode: 10003, errmsg: 'redirect_uri or scope invalid' }); return }
    const record = authorizeRecord(url, 'appid')
    authorizations.push({ ...record, page })
    core.authorize(record, res)
  }

  const url = await serveStandin(t, {
    'GET /connect/qrconnect': (_req, url, _body, res) => { authorize('qrconnect', url.searchParams.get('appid'), url, res) },
    'GET /connect/oauth2/authorize': (_req, url, _body, res) => { authorize('oauth2/authorize', url.searchParams.get('appid'), url, res) },
    'GET /sns/oauth2/access_token': (_req, url, _body, res) => {
      const query = url.searchParams
      const appid = query.get('appid') ?? ''
      const core = cores.get(appid)
      const result = core?.exchange({ clientId: appid, clientSecret: query.get('secret') ?? undefined, code: query.get('code') ?? undefined })
      if (query.get('grant_type') !== 'authorization_code' || result === undefined || 'error' in result) {
        refusals.push(result !== undefined && 'error' in result ? result.error : 'bad request')
        json(res, 200, { errcode: 40029, errmsg: 'invalid code' })
        return
      }
      tokens.set(result.accessToken, { person: result.person, appid })
      json(res, 200, { access_token: result.accessToken, expires_in: 7200, refresh_token: `r${result.accessToken}`, openid: openidOf(appid, result.person), scope: scopes.get(appid), unionid: result.person.unionid })
    },
    'GET /sns/userinfo': (_req, url, _body, res) => {
      const held = tokens.get(url.searchParams.get('access_token') ?? '')
      if (held === undefined || url.searchParams.get('openid') !== openidOf(held.appid, held.person)) { json(res, 200, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' }); return }
      json(res, 200, { openid: openidOf(held.appid, held.person), nickname: held.person.nickname, sex: 0, province: '', city: '', country: 'CN', headimgurl: '', privilege: [], unionid: held.person.unionid })
    }
  })
  return {
    url,
    signInAs (person) { for (const core of cores.values()) core.signInAs(person) },
    authorizations,
    refusals
  }
}
