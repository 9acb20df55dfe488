import { css } from 'lit'

export const statusBadgeStyles = css`
  :host { display: inline-block; }
  .badge { display: inline-flex; align-items: center; gap: 0.35rem; padding: 0.1rem 0.6rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600; white-space: nowrap; }
  .dot { width: 0.5rem; height: 0.5rem; border-radius: 50%; background: currentColor; }
  .ok { background: var(--oc-ok-bg); color: var(--oc-ok); }
  .busy { background: var(--oc-info-bg); color: var(--oc-info); }
  .busy .dot { animation: pulse 1.2s ease-in-out infinite; }
  .warn { background: var(--oc-warn-bg); color: var(--oc-warn); }
  .danger { background: var(--oc-danger-bg); color: var(--oc-danger); }
  .neutral { background: var(--oc-neutral-bg); color: var(--oc-muted); }
  @keyframes pulse { 50% { opacity: 0.3; } }
  @media (prefers-reduced-motion: reduce) { .busy .dot { animation: none; } }
`
