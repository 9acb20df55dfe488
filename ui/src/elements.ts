// Registers every console element under its tag name, in one place apart from the classes.
import { OcApp } from './components/app-shell/app-shell.js'
import { OcConfirmDialog } from './components/confirm-dialog/confirm-dialog.js'
import { OcInstanceCard } from './components/instance-card/instance-card.js'
import { OcLocalePicker } from './components/locale-picker/locale-picker.js'
import { OcLogTail } from './components/log-tail/log-tail.js'
import { OcProgressSteps } from './components/progress-steps/progress-steps.js'
import { OcStateView, type RetryEvent } from './components/state-view/state-view.js'
import { OcStatusBadge } from './components/status-badge/status-badge.js'
import { OcUsageChart } from './components/usage-chart/usage-chart.js'
import { OcAccountPage } from './pages/account/account-page.js'
import { OcAdminPage } from './pages/admin/admin-page.js'
import { OcClaimPage } from './pages/claim/claim-page.js'
import { OcCreateInstancePage } from './pages/create-instance/create-instance-page.js'
import { OcDashboardPage } from './pages/dashboard/dashboard-page.js'
import { OcDevicePage } from './pages/device/device-page.js'
import { OcDevicesPage } from './pages/devices/devices-page.js'
import { OcForgotPasswordPage } from './pages/forgot-password/forgot-password-page.js'
import { OcHomePage } from './pages/home/home-page.js'
import { OcInstancePage } from './pages/instance/instance-page.js'
import { OcNotFoundPage } from './pages/not-found/not-found-page.js'
import { OcRegisterPage } from './pages/register/register-page.js'
import { OcResetPasswordPage } from './pages/reset-password/reset-password-page.js'
import { OcSetupPage } from './pages/setup/setup-page.js'
import { OcSignInPage } from './pages/sign-in/sign-in-page.js'
import { OcVerifyEmailPage } from './pages/verify-email/verify-email-page.js'

const ELEMENTS = {
  'oc-app': OcApp,
  'oc-confirm-dialog': OcConfirmDialog,
  'oc-instance-card': OcInstanceCard,
  'oc-locale-picker': OcLocalePicker,
  'oc-log-tail': OcLogTail,
  'oc-progress-steps': OcProgressSteps,
  'oc-state-view': OcStateView,
  'oc-status-badge': OcStatusBadge,
  'oc-usage-chart': OcUsageChart,
  'oc-account-page': OcAccountPage,
  'oc-admin-page': OcAdminPage,
  'oc-claim-page': OcClaimPage,
  'oc-create-instance-page': OcCreateInstancePage,
  'oc-dashboard-page': OcDashboardPage,
  'oc-device-page': OcDevicePage,
  'oc-devices-page': OcDevicesPage,
  'oc-forgot-password-page': OcForgotPasswordPage,
  'oc-home-page': OcHomePage,
  'oc-instance-page': OcInstancePage,
  'oc-not-found-page': OcNotFoundPage,
  'oc-register-page': OcRegisterPage,
  'oc-reset-password-page': OcResetPasswordPage,
  'oc-setup-page': OcSetupPage,
  'oc-sign-in-page': OcSignInPage,
  'oc-verify-email-page': OcVerifyEmailPage
} as const

type ConsoleElements = { [Tag in keyof typeof ELEMENTS]: InstanceType<typeof ELEMENTS[Tag]> }

declare global {
  // Typed querySelector / createElement for every console tag, and the console's own events.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges the mapped type into the DOM's map
  interface HTMLElementTagNameMap extends ConsoleElements {}
  interface HTMLElementEventMap { 'oc-retry': RetryEvent }
}

export function defineElements (): void {
  for (const [tag, element] of Object.entries(ELEMENTS)) {
    if (customElements.get(tag) === undefined) customElements.define(tag, element)
  }
}
