// Accounts: who is signed in, signing in and out, registration, password reset, email
// verification and the first-admin setup (plugins/oauth/README.md "Endpoints").
import type { Offers } from './capabilities.js'
import { ApiError, type Http } from './http.js'

export interface User {
  id: string
  email: string
  roles: string[]
  scopes: string[]
  emailVerified: boolean
  createdAt: string
}

export interface Me extends User {
  requireEmailVerification: boolean
  /** False for an account made by an external sign-in: it confirms with its email instead. */
  hasPassword: boolean
}

export interface MailAnswer {
  /** `not-configured`: the server has no SMTP, an admin finds the link in the server log. */
  mail: 'sent' | 'not-configured'
  message: string
}

export interface Provider {
  id: string
  name: string
  /** Where the browser goes to start signing in with it. */
  url: string
}

type Listener = (user: Me | null) => void

export interface Auth {
  /** The signed-in user; undefined until the first `load()` answered. */
  readonly user: Me | null | undefined
  /** The signed-in user, asking the server the first time. */
  load: () => Promise<Me | null>
  /** Asks the server again (after a change to the account). */
  refresh: () => Promise<Me | null>
  signIn: (email: string, password: string, returnTo?: string) => Promise<{ user: User, returnTo: string }>
  signOut: () => Promise<void>
  /** Deletes the signed-in account, confirmed with its password or, without one, its email. */
  deleteAccount: (confirmation: { password: string } | { confirmEmail: string }) => Promise<void>
  register: (email: string, password: string) => Promise<MailAnswer>
  forgotPassword: (email: string) => Promise<MailAnswer>
  resetPassword: (token: string, password: string) => Promise<void>
  verifyEmail: (token: string) => Promise<User>
  resendVerification: () => Promise<MailAnswer>
  changePassword: (currentPassword: string, newPassword: string) => Promise<void>
  setupNeeded: () => Promise<boolean>
  createFirstAdmin: (token: string, email: string, password: string) => Promise<User>
  /** Sign-in providers besides the local account; empty when the server offers none. */
  providers: () => Promise<Provider[]>
  /** Called on every change of the signed-in user; returns the unsubscribe function. */
  subscribe: (listener: Listener) => () => void
}

export function createAuth (http: Http, offers: Offers): Auth {
  let user: Me | null | undefined
  let loading: Promise<Me | null> | undefined
  const listeners = new Set<Listener>()

  const set = (next: Me | null): Me | null => {
    user = next
    // Nobody signed in: requests need no CSRF token, so none is asked for.
    if (next === null) http.setCsrfToken(null)
    for (const listener of listeners) listener(next)
    return next
  }

  async function fetchMe (): Promise<Me | null> {
    try {
      // The server answers null to a visitor without a session.
      return set(await http.get<Me | null>('/api/me'))
    } catch (err) {
      // A session that ended elsewhere (signed out, expired); the server also clears its cookie.
      if (err instanceof ApiError && err.status === 401) return set(null)
      throw err
    }
  }

  return {
    get user () { return user },
    load () {
      if (user !== undefined) return Promise.resolve(user)
      loading ??= fetchMe().finally(() => { loading = undefined })
      return loading
    },
    refresh: fetchMe,
    async signIn (email, password, returnTo) {
      const answer = await http.post<{ user: User, csrfToken: string, returnTo: string }>('/api/auth/login', { email, password, ...(returnTo === undefined ? {} : { returnTo }) })
      http.setCsrfToken(answer.csrfToken)
      await fetchMe()
      return { user: answer.user, returnTo: answer.returnTo }
    },
    async signOut () {
      await http.post('/api/auth/logout')
      set(null)
    },
    async deleteAccount (confirmation) {
      await http.delete('/api/me', confirmation)
      set(null)
    },
    register: (email, password) => http.post<MailAnswer>('/api/auth/register', { email, password }),
    forgotPassword: (email) => http.post<MailAnswer>('/api/auth/password/forgot', { email }),
    resetPassword: (token, password) => http.post('/api/auth/password/reset', { token, password }),
    async verifyEmail (token) {
      const verified = await http.post<User>('/api/auth/verify-email', { token })
      if (user != null) await fetchMe()
      return verified
    },
    resendVerification: () => http.post<MailAnswer>('/api/auth/verify-email/resend'),
    changePassword: (currentPassword, newPassword) => http.post('/api/auth/password/change', { currentPassword, newPassword }),
    setupNeeded: async () => (await http.get<{ needed: boolean }>('/api/setup')).needed,
    createFirstAdmin: (token, email, password) => http.post<User>('/api/setup/admin', { token, email, password }),
    async providers () {
      // Servers without external sign-in have no such endpoint: the local form is all there is.
      if (!await offers('GET', '/api/auth/providers')) return []
      const answer = await http.get<Provider[] | { providers: Provider[] }>('/api/auth/providers')
      return Array.isArray(answer) ? answer : answer.providers
    },
    subscribe (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    }
  }
}

/** Where a provider's button leads: sign in and come back to `returnTo`, or link it to the signed-in account. */
export function providerHref (provider: Provider, options: { returnTo?: string, link?: boolean } = {}): string {
  const query = new URLSearchParams()
  if (options.link === true) query.set('link', '1')
  if (options.returnTo !== undefined && options.returnTo !== '') query.set('returnTo', options.returnTo)
  const search = query.toString()
  return search === '' ? provider.url : `${provider.url}?${search}`
}

export const isAdmin = (user: Pick<User, 'roles'> | null | undefined): boolean => user?.roles.includes('admin') ?? false

/** The server's shortest acceptable password (plugins/oauth/passwords.ts); it also checks the rest. */
export const MIN_PASSWORD_LENGTH = 10
