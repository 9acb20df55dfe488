// The console's language: English or Simplified Chinese, chosen from the browser's languages on the
// first visit, switchable, and remembered in localStorage. Like the document's `lang`, the current
// locale is page-wide state; components re-render on change through LocaleController.
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import { en, type MessageKey } from './messages/en.js'
import { zhCN } from './messages/zh-CN.js'

export const LOCALES = ['en', 'zh-CN'] as const
export type Locale = typeof LOCALES[number]

/** Each language named in itself, for the switcher. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' }

const STORAGE_KEY = 'openclaw-cloud.locale'
const CHANGE_EVENT = 'oc-locale-change'
const TABLES: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN }

const isLocale = (value: unknown): value is Locale => LOCALES.includes(value as Locale)

/** The remembered choice, else the first browser language we speak, else English. */
export function detectLocale (stored: string | null, languages: readonly string[]): Locale {
  if (isLocale(stored)) return stored
  for (const language of languages) {
    const lower = language.toLowerCase()
    if (lower.startsWith('zh')) return 'zh-CN'
    if (lower.startsWith('en')) return 'en'
  }
  return 'en'
}

function readStored (): string | null {
  try { return localStorage.getItem(STORAGE_KEY) } catch { return null }
}

let current: Locale = detectLocale(readStored(), navigator.languages)
document.documentElement.lang = current

export const locale = (): Locale => current

export function setLocale (next: Locale): void {
  if (next === current) return
  current = next
  document.documentElement.lang = next
  try { localStorage.setItem(STORAGE_KEY, next) } catch { /* private mode: the choice lasts this page only */ }
  window.dispatchEvent(new Event(CHANGE_EVENT))
}

/** The message in the current language, with `{name}` placeholders filled from `params`. */
export function t (key: MessageKey, params: Record<string, string | number> = {}): string {
  return TABLES[current][key].replace(/\{(\w+)\}/g, (whole, name: string) => name in params ? String(params[name]) : whole)
}

/** For keys built from server values (a status, a plan): its message if there is one, else `fallback`. */
export function tKnown (key: string, fallback: string): string {
  return Object.hasOwn(TABLES[current], key) ? t(key as MessageKey) : fallback
}

/** Re-renders its host when the language changes. */
export class LocaleController implements ReactiveController {
  private readonly update = (): void => { this.host.requestUpdate() }
  constructor (private readonly host: ReactiveControllerHost) { host.addController(this) }
  hostConnected (): void { window.addEventListener(CHANGE_EVENT, this.update) }
  hostDisconnected (): void { window.removeEventListener(CHANGE_EVENT, this.update) }
}

export function formatDateTime (iso: string | null | undefined): string {
  if (iso == null) return '—'
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
}

export function formatTime (iso: string): string {
  return new Intl.DateTimeFormat(current, { timeStyle: 'medium' }).format(new Date(iso))
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const

export function formatBytes (bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) { value /= 1024; unit += 1 }
  return `${new Intl.NumberFormat(current, { maximumFractionDigits: value < 10 && unit > 0 ? 1 : 0 }).format(value)} ${UNITS[unit]}`
}

export function formatNumber (value: number, maximumFractionDigits = 1): string {
  return new Intl.NumberFormat(current, { maximumFractionDigits }).format(value)
}

/** An amount of money in its currency (`currency` is an ISO 4217 code), written the local way. */
export function formatPrice (amount: number, currency: string): string {
  return new Intl.NumberFormat(current, { style: 'currency', currency }).format(amount)
}

/** "2 h 5 min" style durations. */
export function formatDuration (seconds: number): string {
  const days = Math.floor(seconds / 86_400)
  const hours = Math.floor((seconds % 86_400) / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  if (days > 0) return hours === 0 ? t('duration.days', { days }) : t('duration.daysHours', { days, hours })
  if (hours > 0) return minutes === 0 ? t('duration.hours', { hours }) : t('duration.hoursMinutes', { hours, minutes })
  if (minutes > 0) return t('duration.minutes', { minutes })
  return t('duration.seconds', { seconds: Math.floor(seconds) })
}

/** "a, b" in English, "a、b" in Chinese. */
export const formatList = (items: readonly string[]): string => items.join(t('list.separator'))

export const formatPercent = (value: number): string => `${formatNumber(value)} %`
