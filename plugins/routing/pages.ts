// The pages the router itself shows on an instance host (never the instance's own content): sign-in
// refused, instance starting (live progress), failed, deleted, missing, box offline, and upstream errors. English
// or Simplified Chinese by Accept-Language; no internals (addresses, error codes of the upstream).
import { randomBytes } from 'node:crypto'
import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import { errorBody } from '../../server/errors.js'

export type Language = 'en' | 'zh'
export type PageKind = 'forbidden' | 'not-found' | 'deleted' | 'starting' | 'failed' | 'bad-gateway' | 'gateway-timeout' | 'too-large' | 'unauthenticated' | 'sign-in-expired' | 'box-offline'

interface PageText { title: string, body: string }

const TEXT: Record<Language, Record<PageKind, PageText> & { console: string, steps: Record<string, string> }> = {
  en: {
    forbidden: { title: 'Not your instance', body: 'You are signed in, but this instance belongs to someone else. Sign in with the account that owns it, or open your own instances from the console.' },
    'not-found': { title: 'No instance here', body: 'There is no instance at this address. Check the address, or open your instances from the console.' },
    deleted: { title: 'This instance was deleted', body: 'Its owner deleted this instance. Create a new one from the console.' },
    starting: { title: 'Starting your instance', body: 'Your instance is waking up. This page continues to it by itself as soon as it is ready; it usually takes under a minute.' },
    failed: { title: 'Your instance could not start', body: 'Something went wrong while starting this instance. Open the console to see its logs and restart it.' },
    'bad-gateway': { title: 'Your instance is not answering', body: 'The instance did not accept the connection. It may be restarting; try again in a moment.' },
    'gateway-timeout': { title: 'Your instance took too long', body: 'The instance did not answer in time. Try again in a moment.' },
    'too-large': { title: 'Upload too large', body: 'This request is larger than the server accepts for an instance.' },
    unauthenticated: { title: 'Sign-in needed', body: 'Sign in to use this instance.' },
    'sign-in-expired': { title: 'Sign-in did not complete', body: 'The sign-in took too long or was started in another tab. Try again.' },
    'box-offline': { title: 'Your box is offline', body: 'Your OpenClaw Box is not connected to the cloud right now. Check that it is powered on and online; this address works again as soon as it reconnects.' },
    console: 'Open the console',
    steps: { scheduled: 'Placed on a server', 'image-ready': 'Image ready', 'container-created': 'Container created', starting: 'Starting', healthy: 'Answering', routable: 'Ready', stopped: 'Stopped', failed: 'Failed', deleted: 'Deleted' }
  },
  zh: {
    forbidden: { title: '这不是您的实例', body: '您已登录，但此实例属于其他用户。请使用拥有它的账户登录，或从控制台打开您自己的实例。' },
    'not-found': { title: '此地址没有实例', body: '此地址没有实例。请检查地址，或从控制台打开您的实例。' },
    deleted: { title: '此实例已被删除', body: '其所有者已删除此实例。您可以在控制台中创建新实例。' },
    starting: { title: '正在启动您的实例', body: '您的实例正在唤醒。准备就绪后，此页面会自动跳转，通常不到一分钟。' },
    failed: { title: '您的实例无法启动', body: '启动此实例时出错。请打开控制台查看日志并重新启动。' },
    'bad-gateway': { title: '您的实例没有响应', body: '实例未接受连接，可能正在重启。请稍后再试。' },
    'gateway-timeout': { title: '您的实例响应超时', body: '实例未能及时响应。请稍后再试。' },
    'too-large': { title: '上传内容过大', body: '此请求超过了服务器允许发送到实例的大小。' },
    unauthenticated: { title: '需要登录', body: '请登录后使用此实例。' },
    'sign-in-expired': { title: '登录未完成', body: '登录耗时过长或在其他标签页中开始。请重试。' },
    'box-offline': { title: '您的盒子已离线', body: '您的 OpenClaw Box 目前没有连接到云端。请检查它是否已通电并联网；重新连接后即可再次通过此地址访问。' },
    console: '打开控制台',
    steps: { scheduled: '已分配服务器', 'image-ready': '镜像就绪', 'container-created': '容器已创建', starting: '正在启动', healthy: '已响应', routable: '就绪', stopped: '已停止', failed: '失败', deleted: '已删除' }
  }
}

const STATUS: Record<PageKind, number> = {
  forbidden: 403, 'not-found': 404, deleted: 410, starting: 503, failed: 503, 'bad-gateway': 502, 'gateway-timeout': 504, 'too-large': 413, unauthenticated: 401, 'sign-in-expired': 400, 'box-offline': 502
}
const CODE: Record<PageKind, string> = {
  forbidden: 'NOT_INSTANCE_OWNER', 'not-found': 'INSTANCE_NOT_FOUND', deleted: 'INSTANCE_DELETED', starting: 'INSTANCE_STARTING', failed: 'INSTANCE_FAILED',
  'bad-gateway': 'INSTANCE_UNREACHABLE', 'gateway-timeout': 'INSTANCE_TIMEOUT', 'too-large': 'BODY_TOO_LARGE', unauthenticated: 'UNAUTHENTICATED', 'sign-in-expired': 'SIGN_IN_EXPIRED', 'box-offline': 'BOX_OFFLINE'
}

/** The preferred of our languages by RFC 9110 §12.5.4 quality values; English when nothing matches. */
export function pickLanguage (acceptLanguage: string | undefined): Language {
  let best: { language: Language, q: number } = { language: 'en', q: 0 }
  for (const part of (acceptLanguage ?? '').split(',')) {
    const [range, ...params] = part.trim().toLowerCase().split(';')
    const q = Number(params.map((param) => param.trim()).find((param) => param.startsWith('q='))?.slice(2) ?? '1')
    const language = range?.startsWith('zh') === true ? 'zh' : range?.startsWith('en') === true ? 'en' : undefined
    if (language !== undefined && Number.isFinite(q) && q > best.q) best = { language, q }
  }
  return best.language
}

export function wantsHtml (headers: IncomingHttpHeaders): boolean {
  return (headers.accept ?? '').includes('text/html')
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

function html (kind: PageKind, language: Language, consoleUrl: string, nonce: string): string {
  const text = TEXT[language]
  const page = text[kind]
  const progress = kind === 'starting'
    ? `<ol id="steps"></ol>
<script nonce="${nonce}">
const names = ${JSON.stringify(text.steps)};
const list = document.getElementById('steps');
const source = new EventSource('/_openclaw/progress');
const show = (type) => { const item = document.createElement('li'); item.textContent = names[type] || type; list.appendChild(item); };
for (const type of Object.keys(names)) source.addEventListener(type, () => {
  show(type);
  if (type === 'routable' || type === 'failed' || type === 'deleted') { source.close(); location.reload(); }
});
source.onerror = () => { source.close(); setTimeout(() => location.reload(), 5000); };
</script>`
    : ''
  return `<!doctype html>
<html lang="${language === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style nonce="${nonce}">body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}a{color:#0b5fff}</style>
</head><body><h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.body)}</p>${progress}
<p><a href="${escapeHtml(consoleUrl)}">${escapeHtml(text.console)}</a></p></body></html>`
}

/** Answers with a router page: HTML for browsers, the uniform JSON error body for other clients. */
export function sendPage (res: ServerResponse, headers: IncomingHttpHeaders, kind: PageKind, consoleUrl: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) { res.destroy(); return }
  const statusCode = STATUS[kind]
  const language = pickLanguage(headers['accept-language'])
  const common = { 'cache-control': 'no-store', 'content-language': language === 'zh' ? 'zh-CN' : 'en', vary: 'accept, accept-language', ...extra }
  if (!wantsHtml(headers)) {
    const body = JSON.stringify(errorBody(statusCode, CODE[kind], TEXT.en[kind].body))
    res.writeHead(statusCode, { ...common, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) })
    res.end(body)
    return
  }
  const nonce = randomBytes(16).toString('base64')
  const body = html(kind, language, consoleUrl, nonce)
  res.writeHead(statusCode, {
    ...common,
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    ...(kind === 'starting' ? { 'retry-after': '5' } : {})
  })
  res.end(body)
}
