// English and Simplified Chinese: chosen from the browser's languages, switchable, remembered, and
// complete: in Chinese no page shows a string of the English table.
import type { Page } from 'playwright-core'
import t from 'tap'
import { scheduler } from '../../plugins/scheduler/index.js'
import { tenants } from '../../plugins/tenants/index.js'
import { en } from '../../ui/src/i18n/messages/en.js'
import { zhCN } from '../../ui/src/i18n/messages/zh-CN.js'
import { signUp } from '../helpers/auth.js'
import { launchChromium, requireConsoleBuild, screenshot, startConsoleServer, visibleText, watchConsole } from '../helpers/browser.js'
import { chromium, requireComponents } from '../helpers/components.js'

/**
 * The English strings a Chinese page must not show: each message's fixed parts (around its
 * `{placeholders}`) whose Chinese differs, as whole words, case-sensitive.
 */
const englishOnly: RegExp[] = Object.entries(en)
  .filter(([key, english]) => zhCN[key as keyof typeof en] !== english)
  .flatMap(([, english]) => english.split(/\{\w+\}/))
  .map((part) => part.trim().replace(/[.:…]+$/, ''))
  .filter((part) => part.length >= 4 && /[A-Za-z]{3}/.test(part))
  .map((part) => new RegExp(`(^|[^A-Za-z])${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z])`))

async function untranslated (page: Page): Promise<string[]> {
  const text = await visibleText(page)
  return englishOnly.filter((pattern) => pattern.test(text)).map((pattern) => pattern.source)
}

// A browser and a server on a machine shared with other heavy work: minutes, not the default 3.
t.setTimeout(300_000)

t.test('languages', async (t) => {
  if (!(await requireComponents(t, chromium)) || !(await requireConsoleBuild(t))) return
  const { app, url } = await startConsoleServer(t, { installed: [scheduler, tenants] })
  const browser = await launchChromium(t)

  t.test('a Chinese browser gets Chinese; the choice is switchable and remembered', async (t) => {
    const chinese = await browser.newContext({ locale: 'zh-CN', baseURL: url })
    t.teardown(() => chinese.close())
    const zhPage = await chinese.newPage()
    await zhPage.goto('/')
    await zhPage.getByRole('heading', { name: '属于你自己的 OpenClaw，在云端或家中的盒子上' }).waitFor()
    t.equal(await zhPage.evaluate(() => document.documentElement.lang), 'zh-CN', 'the document says its language')

    const english = await browser.newContext({ locale: 'en-GB', baseURL: url })
    t.teardown(() => english.close())
    const page = await english.newPage()
    const problems = watchConsole(page)
    await page.goto('/sign-in')
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    t.ok((await untranslated(page)).length > 3, 'the completeness check does find English on an English page')
    await page.getByRole('combobox', { name: 'Language' }).selectOption({ label: '简体中文' })
    await page.getByRole('heading', { name: '登录' }).waitFor()
    t.ok(await page.getByLabel('密码').isVisible(), 'the form switched too')
    await screenshot(page, 'sign-in-zh')
    await page.reload()
    await page.getByRole('heading', { name: '登录' }).waitFor()
    t.pass('the choice survives a reload')
    await page.getByRole('combobox', { name: '语言' }).selectOption({ label: 'English' })
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    t.same(problems, [], 'no errors in the browser console')
  })

  t.test('in Chinese, no page shows an English message', async (t) => {
    const admin = await signUp(app, { email: 'zhang.wei@example.com', roles: ['user', 'admin'] })
    const context = await browser.newContext({ locale: 'zh-CN', baseURL: url })
    t.teardown(() => context.close())
    const page = await context.newPage()
    const problems = watchConsole(page)
    const check = async (path: string, heading: string, shot = ''): Promise<void> => {
      await page.goto(path)
      await page.getByRole('heading', { name: heading, exact: true }).first().waitFor()
      await page.waitForLoadState('networkidle')
      t.same(await untranslated(page), [], `${path} is all Chinese`)
      if (shot !== '') await screenshot(page, shot)
    }
    for (const [path, heading] of [
      ['/', '属于你自己的 OpenClaw，在云端或家中的盒子上'],
      ['/register', '注册账户'],
      ['/forgot-password', '重置密码'],
      ['/reset-password', '设置新密码'],
      ['/claim?device=ocb_0123456789ABCDEF&code=ABCDE-FGHJK', '认领盒子'],
      ['/nowhere', '页面不存在']
    ] as const) await check(path, heading)

    await page.goto('/sign-in')
    await page.getByLabel('邮箱').fill(admin.email)
    await page.getByLabel('密码').fill(admin.password)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL('**/dashboard')
    for (const [path, heading, shot] of [
      ['/dashboard', '控制台', 'dashboard-zh'],
      ['/instances/new', '创建实例', 'create-instance-zh'],
      ['/account', '账户', ''],
      ['/devices', '设备', ''],
      ['/admin/users', '管理', ''],
      ['/admin/workers', '管理', '']
    ] as const) await check(path, heading, shot)
    t.same(problems, [], 'no errors in the browser console')
  })
})
