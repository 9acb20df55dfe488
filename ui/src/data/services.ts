// Everything the pages reach the server through, built once by the app shell and handed down.
import { createAccount, type Account } from './account.js'
import { createAdmin, type Admin } from './admin.js'
import { createAuth, type Auth } from './auth.js'
import { createOffers, type Offers } from './capabilities.js'
import { createDevices, type Devices } from './devices.js'
import { createHttp, type Http } from './http.js'
import { fetchInfo, type ServerInfo } from './info.js'
import { createTenants, type Tenants } from './tenants.js'

export interface Services {
  http: Http
  auth: Auth
  tenants: Tenants
  account: Account
  admin: Admin
  devices: Devices
  info: () => Promise<ServerInfo>
  offers: Offers
}

export function createServices (http: Http = createHttp()): Services {
  let info: Promise<ServerInfo> | undefined
  const offers = createOffers(http)
  return {
    http,
    offers,
    auth: createAuth(http, offers),
    tenants: createTenants(http, offers),
    account: createAccount(http),
    admin: createAdmin(http, offers),
    devices: createDevices(http, offers),
    info: () => (info ??= fetchInfo(http).catch((err: unknown) => { info = undefined; throw err }))
  }
}
