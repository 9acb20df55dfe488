// The web console in a real browser: a server with the built console (ui/dist) listening on a free
// port, and Debian's Chromium driven by playwright-core (ARCHITECTURE §4). Nothing is downloaded.
import type { FastifyInstance } from 'fastify'
import { mkdir, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { chromium as playwright, type Browser, type BrowserContextOptions, type Page } from 'playwright-core'
import { packageInfo } from '../../server/package-info.js'
import type { ServerPlugin } from '../../server/plugins.js'
import { buildAuthApp } from './auth.js'
import type { TestAppOptions, TestContext } from './app.js'
import { freePort } from './process.js'

export const CHROMIUM_PATH = '/usr/bin/chromium'
export const UI_DIST = path.join(packageInfo.root, 'ui', 'dist')
const UI_SOURCES = [path.join(packageInfo.root, 'ui', 'src'), path.join(packageInfo.root, 'ui', 'index.html')]

/** A phone-sized viewport (a common Android size), touch and all. */
export const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }

async function newestChange (target: string): Promise<number> {
  const info = await stat(target)
  if (!info.isDirectory()) return info.mtimeMs
  const entries = await readdir(target)
  const times = await Promise.all(entries.map((entry) => newestChange(path.join(target, entry))))
  return Math.max(info.mtimeMs, ...times)
}

/**
 * Why the built console cannot be tested, or undefined when ui/dist is there and newer than its
 * sources. The browser tests test what `npm run build:ui` made, so a stale build would test old code.
 */
export async function consoleBuildProblem (): Promise<string | undefined> {
  const built = await stat(path.join(UI_DIST, 'index.html')).catch(() => undefined)
  if (built === undefined) return `the console is not built (${UI_DIST}/index.html is missing): run \`npm run build:ui\` first`
  const changed = Math.max(...await Promise.all(UI_SOURCES.map(newestChange)))
  if (changed > built.mtimeMs) return 'ui/ changed after the last console build: run `npm run build:ui` again'
  return undefined
}

/** Fails the test, naming the fix, unless the console build is there and current; true when it is. */
export async function requireConsoleBuild (t: { fail: (message: string) => void }): Promise<boolean> {
  const problem = await consoleBuildProblem()
  if (problem !== undefined) t.fail(problem)
  return problem === undefined
}

export interface ConsoleServer {
  app: FastifyInstance
  /** `http://localhost:<port>`, also the server's PUBLIC_URL. */
  url: string
}

/** A server with the oauth plugin (plus `installed`) serving the built console on a free port. */
export async function startConsoleServer (t: TestContext, options: TestAppOptions & { installed?: ServerPlugin[] } = {}): Promise<ConsoleServer> {
  const port = await freePort()
  const url = `http://localhost:${port}`
  const app = await buildAuthApp(t, { ...options, uiDir: UI_DIST, config: { host: '127.0.0.1', port, publicUrl: url, ...options.config } })
  await app.listen({ host: '127.0.0.1', port })
  return { app, url }
}

export async function launchChromium (t: TestContext): Promise<Browser> {
  const browser = await playwright.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking']
  })
  t.teardown(() => browser.close())
  return browser
}

/**
 * Collects what a user would see as breakage in the developer console: errors logged by the page,
 * uncaught exceptions, and failed requests other than the ones the test expects.
 */
export function watchConsole (page: Page): string[] {
  const problems: string[] = []
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`) })
  page.on('pageerror', (error) => { problems.push(`uncaught: ${error.message}`) })
  return problems
}

/**
 * Where screenshots go: $UI_SCREENSHOT_DIR, else test-output/screenshots (gitignored; CI uploads it
 * as an artifact). docs/screenshots holds a reviewed copy of the main pages.
 */
export async function screenshotDir (): Promise<string> {
  const dir = process.env.UI_SCREENSHOT_DIR ?? path.join(packageInfo.root, 'test-output', 'screenshots')
  await mkdir(dir, { recursive: true })
  return dir
}

export async function screenshot (page: Page, name: string): Promise<string> {
  const file = path.join(await screenshotDir(), `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}

/** All text the page shows, through every open shadow root (the console is made of web components). */
export async function visibleText (page: Page): Promise<string> {
  return await page.evaluate(() => {
    const parts: string[] = []
    const walk = (node: Node): void => {
      if (node.nodeType === Node.TEXT_NODE) {
        const parent = node.parentElement
        if (parent === null || (!['STYLE', 'SCRIPT'].includes(parent.tagName) && parent.checkVisibility())) parts.push(node.textContent ?? '')
        return
      }
      if (node instanceof Element && node.shadowRoot !== null) walk(node.shadowRoot)
      for (const child of node.childNodes) walk(child)
    }
    walk(document.body)
    return parts.join(' ').replace(/\s+/g, ' ').trim()
  })
}
