// The live tail of an instance's gateway output: follows new lines, can pause (new lines wait),
// keep the newest line in view or not, and filter by a search text.
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit'
import { OcElement } from '../../base-element.js'
import type { Tenants } from '../../data/tenants.js'
import { describeError } from '../../i18n/errors.js'
import { t } from '../../i18n/locale.js'
import { logTailStyles } from './log-tail.styles.js'

const MAX_LINES = 2000
const TAIL = 200
// Terminal colour codes in the gateway's output; they mean nothing in a web page.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g')

type StreamState = 'connecting' | 'live' | 'ended' | 'error'

export class OcLogTail extends OcElement {
  static override styles = logTailStyles
  static override properties = {
    tenants: { attribute: false },
    tenantId: {},
    lines: { state: true },
    waiting: { state: true },
    paused: { state: true },
    follow: { state: true },
    search: { state: true },
    streamState: { state: true },
    error: { state: true }
  }

  declare tenants: Tenants | undefined
  declare tenantId: string
  declare lines: string[]
  /** Lines that arrived while paused. */
  declare waiting: string[]
  declare paused: boolean
  declare follow: boolean
  declare search: string
  declare streamState: StreamState
  declare error: string

  private abort: AbortController | undefined

  constructor () {
    super()
    this.tenantId = ''
    this.lines = []
    this.waiting = []
    this.paused = false
    this.follow = true
    this.search = ''
    this.streamState = 'connecting'
    this.error = ''
  }

  /** Starts the tail again from the last lines (after a restart, or when the stream ended). */
  reconnect (): void {
    void this.start()
  }

  override connectedCallback (): void {
    super.connectedCallback()
    if (this.hasUpdated) void this.start()
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    this.abort?.abort()
  }

  protected override willUpdate (changed: PropertyValues<this>): void {
    if ((changed.has('tenantId') || changed.has('tenants')) && this.tenants !== undefined && this.tenantId !== '') void this.start()
  }

  private async start (): Promise<void> {
    this.abort?.abort()
    if (this.tenants === undefined || this.tenantId === '') return
    const abort = new AbortController()
    this.abort = abort
    this.lines = []
    this.waiting = []
    this.streamState = 'connecting'
    let partial = ''
    try {
      const stream = await this.tenants.logs(this.tenantId, { tail: TAIL, follow: true, signal: abort.signal })
      this.streamState = 'live'
      const reader = stream.getReader()
      const decoder = new TextDecoder()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        const parts = (partial + decoder.decode(value, { stream: true })).split('\n')
        partial = parts.pop() ?? ''
        this.addLines(parts)
      }
      if (partial !== '') this.addLines([partial])
      if (!abort.signal.aborted) this.streamState = 'ended'
    } catch (err) {
      if (abort.signal.aborted) return
      this.error = describeError(err)
      this.streamState = 'error'
    }
  }

  private addLines (raw: string[]): void {
    const clean = raw.map((line) => line.replace(ANSI, '').replace(/\r$/, ''))
    if (this.paused) this.waiting = [...this.waiting, ...clean].slice(-MAX_LINES)
    else this.lines = [...this.lines, ...clean].slice(-MAX_LINES)
  }

  private togglePause (): void {
    if (this.paused) {
      this.lines = [...this.lines, ...this.waiting].slice(-MAX_LINES)
      this.waiting = []
    }
    this.paused = !this.paused
  }

  protected override updated (): void {
    if (!this.follow || this.paused) return
    const view = this.renderRoot.querySelector('.lines')
    if (view !== null) view.scrollTop = view.scrollHeight
  }

  override render (): TemplateResult {
    const needle = this.search.trim().toLowerCase()
    const shown = needle === '' ? this.lines : this.lines.filter((line) => line.toLowerCase().includes(needle))
    return html`
      <div class="toolbar">
        <button class="small" aria-pressed=${this.paused ? 'true' : 'false'} @click=${this.togglePause}>
          ${this.paused ? t('logs.resume', { count: this.waiting.length }) : t('logs.pause')}
        </button>
        <label class="inline small"><input type="checkbox" .checked=${this.follow} @change=${(event: Event) => { this.follow = (event.target as HTMLInputElement).checked }}>${t('logs.follow')}</label>
        <input class="search" type="search" aria-label=${t('logs.search')} placeholder=${t('logs.search')} .value=${this.search} @input=${(event: Event) => { this.search = (event.target as HTMLInputElement).value }}>
        <span class="status small" role="status">${this.statusText()}</span>
        ${this.streamState === 'ended' || this.streamState === 'error' ? html`<button class="small" @click=${() => { this.reconnect() }}>${t('logs.reconnect')}</button>` : nothing}
      </div>
      <div class="lines" tabindex="0" role="log" aria-label=${t('logs.title')}>
        ${shown.length === 0
          ? html`<p class="empty">${this.streamState === 'connecting' ? t('state.loading') : needle === '' ? t('logs.empty') : t('logs.noMatch')}</p>`
          : shown.map((line) => html`<div class="line">${line}</div>`)}
      </div>`
  }

  private statusText (): string {
    switch (this.streamState) {
      case 'connecting': return t('logs.connecting')
      case 'live': return this.paused ? t('logs.paused') : t('logs.live')
      case 'ended': return t('logs.ended')
      case 'error': return this.error
    }
  }
}
