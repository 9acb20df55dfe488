// Registers the setup page's element; the box's server-rendered page contains <box-setup>.
import { BoxSetup } from './box-setup.js'
import { locale } from './messages.js'

document.documentElement.lang = locale
customElements.define('box-setup', BoxSetup)
