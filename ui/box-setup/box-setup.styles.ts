import { css } from 'lit'

export const boxSetupStyles = css`
  :host { display: block; font-family: system-ui, sans-serif; max-width: 28rem; margin: 1.5rem auto; padding: 0 1rem; color: #111; }
  h1 { font-size: 1.4rem; }
  .error { background: #fde8e8; border: 1px solid #e02424; padding: 0.6rem; border-radius: 0.4rem; }
  fieldset { border: 1px solid #ccc; border-radius: 0.4rem; }
  label { display: flex; gap: 0.5rem; align-items: center; margin: 0.5rem 0; }
  .signal { color: #555; font-size: 0.9rem; margin-left: auto; }
  input[type=password] { flex: 1; padding: 0.5rem; font-size: 1rem; }
  button { padding: 0.6rem 1.2rem; font-size: 1rem; margin-top: 0.6rem; }
  .qr { width: 16rem; height: 16rem; image-rendering: pixelated; }
  .code { font-family: ui-monospace, monospace; font-size: 1.6rem; letter-spacing: 0.15em; }
  .muted { color: #555; font-size: 0.9rem; }
  a { word-break: break-all; }
`
