// The signed-in user's account: profile, password, linked sign-in providers, signed-in browsers and
// personal API tokens.
import { Task } from '@lit/task'
import { html, nothing, type TemplateResult } from 'lit'
import type { OcConfirmDialog } from '../../components/confirm-dialog/confirm-dialog.js'
import type { ApiToken, LinkedIdentity, Session } from '../../data/account.js'
import { MIN_PASSWORD_LENGTH, providerHref, type Provider } from '../../data/auth.js'
import { describeError } from '../../i18n/errors.js'
import { formatDateTime, formatList, t, tKnown } from '../../i18n/locale.js'
import { navigate, queryParams } from '../../navigation.js'
import { OcPage } from '../page.js'
import { externalError } from '../sign-in/external-error.js'
import { taskView } from '../task-view.js'
import { accountPageStyles } from './account-page.styles.js'

/** Scopes a personal token may carry, in the order the form lists them (plugins/oauth/rbac.ts). */
const TOKEN_SCOPES = ['tenants:read', 'tenants:write', 'devices:read', 'devices:claim']

export class OcAccountPage extends OcPage {
  static override styles = accountPageStyles
  static override properties = {
    passwordNotice: { state: true },
    passwordError: { state: true },
    tokenError: { state: true },
    newToken: { state: true },
    listError: { state: true },
    deleteError: { state: true }
  }

  declare passwordNotice: string
  declare passwordError: string
  declare tokenError: string
  /** The value of a just-created token: shown once. */
  declare newToken: string
  declare listError: string
  declare deleteError: string

  private readonly sessions = new Task(this, { task: () => this.services.account.sessions(), args: () => [] })
  private readonly tokens = new Task(this, { task: () => this.services.account.tokens(), args: () => [] })
  private readonly identities = new Task(this, {
    task: async () => ({ linked: await this.services.account.identities(), providers: await this.services.auth.providers() }),
    args: () => []
  })

  protected get pageTitle (): string { return t('account.title') }

  constructor () {
    super()
    this.passwordNotice = ''
    this.passwordError = ''
    this.tokenError = ''
    this.newToken = ''
    this.deleteError = ''
    // A link that did not complete comes back here with the reason.
    this.listError = externalError(queryParams())
  }

  private async changePassword (event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const formElement = event.target as HTMLFormElement
    const form = new FormData(formElement)
    this.passwordNotice = ''
    this.passwordError = ''
    if (String(form.get('newPassword')) !== String(form.get('confirm'))) {
      this.passwordError = t('register.mismatch')
      return
    }
    try {
      await this.services.auth.changePassword(String(form.get('currentPassword')), String(form.get('newPassword')))
      formElement.reset()
      this.passwordNotice = t('account.passwordChanged')
      void this.sessions.run()
    } catch (err) {
      this.passwordError = describeError(err)
    }
  }

  private async deleteAccount (event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const given = String(new FormData(event.target as HTMLFormElement).get('confirmation'))
    if (!await this.confirm(t('account.delete.title'), t('account.delete.body'), t('account.delete.submit'))) return
    this.deleteError = ''
    try {
      await this.services.auth.deleteAccount(this.services.auth.user?.hasPassword === false ? { confirmEmail: given } : { password: given })
      navigate('/', { replace: true })
    } catch (err) {
      this.deleteError = describeError(err)
    }
  }

  private renderDeletion (hasPassword: boolean): TemplateResult {
    return html`<section class="card" aria-labelledby="delete-heading">
      <h2 id="delete-heading">${t('account.delete.heading')}</h2>
      <p class="muted">${t('account.delete.lead')}</p>
      <form @submit=${this.deleteAccount}>
        ${this.deleteError === '' ? nothing : html`<p class="notice error" role="alert">${this.deleteError}</p>`}
        ${hasPassword
          ? html`<label>${t('field.currentPassword')}<input name="confirmation" type="password" autocomplete="current-password" required></label>`
          : html`<label>${t('account.delete.typeEmail')}<input name="confirmation" type="email" autocomplete="off" required></label>`}
        <div><button class="danger" type="submit">${t('account.delete.submit')}</button></div>
      </form>
    </section>`
  }

  private async confirm (title: string, message: string, confirmLabel: string): Promise<boolean> {
    const dialog = this.renderRoot.querySelector<OcConfirmDialog>('oc-confirm-dialog')!
    return (await dialog.ask({ title, message, confirmLabel, danger: true })).confirmed
  }

  private async revokeSession (session: Session): Promise<void> {
    if (!await this.confirm(t('account.revokeSession.title'), t('account.revokeSession.body'), t('account.revoke'))) return
    try {
      await this.services.account.revokeSession(session.id)
      this.listError = ''
      void this.sessions.run()
    } catch (err) {
      this.listError = describeError(err)
    }
  }

  private async unlinkIdentity (identity: LinkedIdentity): Promise<void> {
    if (!await this.confirm(t('account.unlink.title', { provider: identity.providerName }), t('account.unlink.body'), t('account.unlink'))) return
    try {
      await this.services.account.unlinkIdentity(identity.id)
      this.listError = ''
      void this.identities.run()
    } catch (err) {
      this.listError = describeError(err)
    }
  }

  private renderIdentities ({ linked, providers }: { linked: LinkedIdentity[], providers: Provider[] }): TemplateResult {
    return html`${linked.length === 0
      ? html`<p class="muted">${t('account.noIdentities')}</p>`
      : html`<div class="table-wrap"><table>
          <thead><tr><th>${t('account.provider')}</th><th>${t('field.email')}</th><th>${t('account.linkedAt')}</th><th><span class="visually-hidden">${t('account.actions')}</span></th></tr></thead>
          <tbody>${linked.map((identity) => html`<tr>
            <td>${identity.providerName}</td>
            <td>${identity.email ?? '—'}</td>
            <td>${formatDateTime(identity.linkedAt)}</td>
            <td>${identity.canUnlink
              ? html`<button class="small danger" @click=${() => this.unlinkIdentity(identity)}>${t('account.unlink')}</button>`
              : html`<span class="muted small">${t('account.lastMethod')}</span>`}</td>
          </tr>`)}</tbody>
        </table></div>`}
      ${providers.length === 0
        ? nothing
        : html`<p class="row">${providers.map((provider) => html`<a class="button small" href=${providerHref(provider, { link: true, returnTo: '/account' })} rel="external">${t('account.link', { provider: provider.name })}</a>`)}</p>`}`
  }

  private async createToken (event: SubmitEvent): Promise<void> {
    event.preventDefault()
    const formElement = event.target as HTMLFormElement
    const form = new FormData(formElement)
    const scopes = form.getAll('scope').map(String)
    this.tokenError = ''
    if (scopes.length === 0) {
      this.tokenError = t('account.tokenNeedsScope')
      return
    }
    try {
      const created = await this.services.account.createToken({ name: String(form.get('name')), scopes, expiresInDays: Number(form.get('days')) })
      this.newToken = created.token
      formElement.reset()
      void this.tokens.run()
    } catch (err) {
      this.tokenError = describeError(err)
    }
  }

  private async revokeToken (token: ApiToken): Promise<void> {
    if (!await this.confirm(t('account.revokeToken.title', { name: token.name }), t('account.revokeToken.body'), t('account.revoke'))) return
    try {
      await this.services.account.revokeToken(token.id)
      this.listError = ''
      void this.tokens.run()
    } catch (err) {
      this.listError = describeError(err)
    }
  }

  override render (): TemplateResult {
    const user = this.services.auth.user
    const grantable = TOKEN_SCOPES.filter((scope) => user?.scopes.includes(scope) ?? false)
    return html`<div class="page stack">
      <h1>${t('account.title')}</h1>
      ${user == null
        ? nothing
        : html`<section class="card" aria-labelledby="profile-heading">
            <h2 id="profile-heading">${t('account.profile')}</h2>
            <dl class="facts">
              <dt>${t('field.email')}</dt><dd>${user.email} <oc-status-badge .status=${user.emailVerified ? 'verified' : 'unverified'}></oc-status-badge></dd>
              <dt>${t('account.roles')}</dt><dd>${formatList(user.roles.map((role) => tKnown(`role.${role}`, role)))}</dd>
              <dt>${t('account.since')}</dt><dd>${formatDateTime(user.createdAt)}</dd>
            </dl>
          </section>`}
      ${user?.hasPassword === false
        ? html`<section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">${t('account.password')}</h2>
            <p class="muted">${t('account.noPassword')} <a href="/forgot-password">${t('account.setPassword')}</a></p>
          </section>`
        : html`<section class="card" aria-labelledby="password-heading">
        <h2 id="password-heading">${t('account.password')}</h2>
        <form @submit=${this.changePassword}>
          ${this.passwordError === '' ? nothing : html`<p class="notice error" role="alert">${this.passwordError}</p>`}
          ${this.passwordNotice === '' ? nothing : html`<p class="notice ok" role="status">${this.passwordNotice}</p>`}
          <label>${t('field.currentPassword')}<input name="currentPassword" type="password" autocomplete="current-password" required></label>
          <div class="field">
            <label for="new-password">${t('field.newPassword')}</label>
            <input id="new-password" name="newPassword" type="password" autocomplete="new-password" required minlength=${MIN_PASSWORD_LENGTH} aria-describedby="new-password-hint">
            <span class="hint" id="new-password-hint">${t('password.hint', { min: MIN_PASSWORD_LENGTH })} ${t('account.passwordOthers')}</span>
          </div>
          <label>${t('field.confirmPassword')}<input name="confirm" type="password" autocomplete="new-password" required minlength=${MIN_PASSWORD_LENGTH}></label>
          <div><button class="primary" type="submit">${t('account.changePassword')}</button></div>
        </form>
      </section>`}
      ${this.listError === '' ? nothing : html`<p class="notice error" role="alert">${this.listError}</p>`}
      <section class="stack" aria-labelledby="identities-heading">
        <h2 id="identities-heading">${t('account.identities')}</h2>
        ${taskView(this.identities, (found: { linked: LinkedIdentity[], providers: Provider[] }) => this.renderIdentities(found))}
      </section>
      <section class="stack" aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">${t('account.sessions')}</h2>
        ${taskView(this.sessions, (sessions: Session[]) => html`<div class="table-wrap"><table>
          <thead><tr><th>${t('account.device')}</th><th>${t('account.address')}</th><th>${t('account.lastSeen')}</th><th><span class="visually-hidden">${t('account.actions')}</span></th></tr></thead>
          <tbody>${sessions.map((session) => html`<tr>
            <td>${session.userAgent ?? '—'} ${session.current ? html`<oc-status-badge status="current"></oc-status-badge>` : nothing}</td>
            <td class="mono nowrap">${session.ip ?? '—'}</td>
            <td>${formatDateTime(session.lastSeenAt)}</td>
            <td>${session.current ? nothing : html`<button class="small danger" @click=${() => this.revokeSession(session)}>${t('account.revoke')}</button>`}</td>
          </tr>`)}</tbody>
        </table></div>`)}
      </section>
      <section class="stack" aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">${t('account.tokens')}</h2>
        <p class="muted">${t('account.tokensLead')}</p>
        ${this.newToken === ''
          ? nothing
          : html`<div class="notice ok" role="status">
              <p>${t('account.tokenCreated')}</p>
              <p class="row"><code class="token">${this.newToken}</code><button class="small" @click=${() => { void navigator.clipboard?.writeText(this.newToken) }}>${t('action.copy')}</button></p>
            </div>`}
        ${taskView(this.tokens, (tokens: ApiToken[]) => html`<div class="table-wrap"><table>
          <thead><tr><th>${t('account.tokenName')}</th><th>${t('account.scopes')}</th><th>${t('account.expires')}</th><th>${t('account.lastUsed')}</th><th><span class="visually-hidden">${t('account.actions')}</span></th></tr></thead>
          <tbody>${tokens.map((token) => html`<tr>
            <td>${token.name}</td>
            <td class="mono small">${token.scopes.join(' ')}</td>
            <td>${formatDateTime(token.expiresAt)}</td>
            <td>${formatDateTime(token.lastUsedAt)}</td>
            <td><button class="small danger" @click=${() => this.revokeToken(token)}>${t('account.revoke')}</button></td>
          </tr>`)}</tbody>
        </table></div>`, { isEmpty: (tokens) => tokens.length === 0, emptyView: () => html`<oc-state-view kind="empty" .message=${t('account.noTokens')}></oc-state-view>` })}
        <form class="card" @submit=${this.createToken}>
          <h3>${t('account.newToken')}</h3>
          ${this.tokenError === '' ? nothing : html`<p class="notice error" role="alert">${this.tokenError}</p>`}
          <label>${t('account.tokenName')}<input name="name" required maxlength="100"></label>
          <fieldset>
            <legend>${t('account.scopes')}</legend>
            ${grantable.map((scope) => html`<label class="inline"><input type="checkbox" name="scope" value=${scope} checked><span class="mono">${scope}</span></label>`)}
          </fieldset>
          <label>${t('account.expiresIn')}<select name="days">
            ${[7, 30, 90, 365].map((days) => html`<option value=${days} ?selected=${days === 30}>${t('account.days', { days })}</option>`)}
          </select></label>
          <div><button class="primary" type="submit">${t('account.createToken')}</button></div>
        </form>
      </section>
      ${user == null ? nothing : this.renderDeletion(user.hasPassword)}
      <oc-confirm-dialog></oc-confirm-dialog>
    </div>`
  }
}
