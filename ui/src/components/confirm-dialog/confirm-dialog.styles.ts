import { css } from 'lit'
import { shared } from '../../styles/shared.js'

export const confirmDialogStyles = [shared, css`
  dialog { border: 1px solid var(--oc-border); border-radius: var(--oc-radius); background: var(--oc-surface); color: var(--oc-text); padding: 1.5rem; width: min(440px, calc(100vw - 2rem)); box-shadow: 0 10px 40px rgb(0 0 0 / 25%); }
  dialog::backdrop { background: rgb(0 0 0 / 45%); }
  .actions { display: flex; justify-content: flex-end; gap: 0.5rem; margin-top: 1.25rem; flex-wrap: wrap; }
`]
