import { css } from 'lit'
import { shared } from '../../styles/shared.js'

export const localePickerStyles = [shared, css`
  :host { display: inline-block; }
  select { width: auto; min-height: 2.25rem; padding: 0.2rem 0.5rem; }
`]
