// The setup page's words in English and Simplified Chinese, chosen from the phone's language.

const en = {
  title: 'Set up your OpenClaw Box',
  chooseWifi: 'Choose your Wi-Fi',
  password: 'Password',
  connect: 'Connect',
  searchAgain: 'Search again',
  noNetworks: 'No Wi-Fi networks found.',
  open: 'open',
  joining: 'Connecting to {ssid}…',
  joiningHint: 'If your phone leaves the setup network, reconnect to it to see the result.',
  onlineTitle: 'Your box is online',
  claimByDeviceFlow: 'Scan the code, sign in and approve the box. Or open {uri} and enter this code:',
  claimByLabel: 'Scan the code, sign in and enter the claim code printed on the box label.',
  box: 'Box',
  claimedTitle: 'Your box is ready',
  claimedBy: 'It belongs to {owner}.',
  openInstance: 'Open OpenClaw',
  offline: 'Trying to reach the Wi-Fi network again…',
  offlineTitle: 'Box offline',
  resetTitle: 'Factory reset',
  reset: 'Erasing settings…',
  unprovisionedTitle: 'This box is not provisioned',
  unprovisioned: 'Its factory credential file is missing or invalid. Contact support.',
  loading: 'Loading…',
  unreachable: 'The box does not answer. Are you still on its setup network?'
}

export type MessageKey = keyof typeof en

const zh: Record<MessageKey, string> = {
  title: '设置你的 OpenClaw Box',
  chooseWifi: '选择 Wi-Fi 网络',
  password: '密码',
  connect: '连接',
  searchAgain: '重新搜索',
  noNetworks: '没有找到 Wi-Fi 网络。',
  open: '开放',
  joining: '正在连接 {ssid}…',
  joiningHint: '如果手机离开了设置网络，请重新连接它以查看结果。',
  onlineTitle: 'Box 已联网',
  claimByDeviceFlow: '扫描二维码，登录并批准此 Box。或打开 {uri} 并输入此代码：',
  claimByLabel: '扫描二维码，登录并输入 Box 标签上印的认领码。',
  box: 'Box',
  claimedTitle: 'Box 已就绪',
  claimedBy: '它属于 {owner}。',
  openInstance: '打开 OpenClaw',
  offline: '正在重新连接 Wi-Fi 网络…',
  offlineTitle: 'Box 离线',
  resetTitle: '恢复出厂设置',
  reset: '正在清除设置…',
  unprovisionedTitle: '此 Box 尚未配置',
  unprovisioned: '它的出厂凭据文件缺失或无效。请联系客服。',
  loading: '加载中…',
  unreachable: 'Box 没有响应。你还连着它的设置网络吗？'
}

export const locale: 'en' | 'zh-CN' = navigator.languages.some((language) => language.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en'

export function t (key: MessageKey, values: Record<string, string> = {}): string {
  const text = (locale === 'zh-CN' ? zh : en)[key]
  return text.replace(/\{(\w+)\}/g, (_match, name: string) => values[name] ?? '')
}
