// The seam between passport strategies and our routes. A strategy's `authenticate(req, options)` ends
// by calling one of the actions passport augments it with (redirect, success, fail, error, pass);
// here each action settles a promise, exactly as passport's own middleware does, without passport's
// session layer (our sessions are the oauth plugin's own, see README.md "External sign-in").
import type { Strategy } from 'passport'
import { ExternalSignInFailed } from '../errors.js'
import type { ExternalProfile, ExternalProvider, FlowContext } from './provider.js'

export type StrategyOutcome =
  | { kind: 'redirect', url: string }
  | { kind: 'success', user: unknown }
  | { kind: 'fail', reason: string }

/** The request as passport strategies read it: query, headers, and the PKCE/state bridge of `pkce-store.ts`. */
export interface StrategyRequest {
  query: Record<string, string>
  headers: Record<string, string | undefined>
  url: string
  originalUrl: string
  protocol: string
  /** Express's header getter, which passport-wechat calls (its default callback URL, unused: ours is given). */
  get: (name: string) => string | undefined
  /** passport-wechat refuses to run without it. */
  _passport: Record<string, never>
  /** Filled by the state store while starting; read by it at the callback. */
  flow: { codeVerifier?: string, state: string }
}

export async function runStrategy (strategy: Strategy, request: StrategyRequest, options: Record<string, unknown>): Promise<StrategyOutcome> {
  return await new Promise((resolve, reject) => {
    const run = Object.create(strategy) as Strategy & Record<string, unknown>
    run.redirect = (url: string) => { resolve({ kind: 'redirect', url }) }
    run.success = (user: unknown) => { resolve({ kind: 'success', user }) }
    run.fail = (challenge: unknown) => { resolve({ kind: 'fail', reason: describeChallenge(challenge) }) }
    run.error = (err: unknown) => { reject(err instanceof Error ? err : new Error(String(err))) }
    run.pass = () => { resolve({ kind: 'fail', reason: 'the provider sent nothing to act on' }) }
    try {
      (run.authenticate as (this: unknown, req: unknown, options: unknown) => void).call(run, request, options)
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)))
    }
  })
}

function describeChallenge (challenge: unknown): string {
  if (typeof challenge === 'string') return challenge
  if (typeof challenge === 'object' && challenge !== null && 'message' in challenge) return String((challenge as { message: unknown }).message)
  return 'the provider did not sign you in'
}

/**
 * passport-oauth2's state store interface, bridged to our flow cookie: the routes make and check
 * `state`; the store only carries the PKCE verifier the strategy generates out and back in.
 */
export const flowStateStore = {
  store (req: StrategyRequest, verifier: string, _state: unknown, _meta: unknown, done: (err: Error | null, state?: string) => void): void {
    req.flow.codeVerifier = verifier
    done(null, req.flow.state)
  },
  verify (req: StrategyRequest, _providedState: string, done: (err: Error | null, verifier?: string | false, info?: { message: string }) => void): void {
    if (req.flow.codeVerifier === undefined) done(null, false, { message: 'no PKCE verifier for this sign-in' })
    else done(null, req.flow.codeVerifier)
  }
}

function strategyRequest (context: { query?: Record<string, string>, userAgent?: string, state: string, codeVerifier?: string, url?: string }): StrategyRequest {
  const headers: Record<string, string | undefined> = { 'user-agent': context.userAgent }
  return {
    query: context.query ?? {},
    headers,
    url: context.url ?? '/',
    originalUrl: context.url ?? '/',
    protocol: 'https',
    get: (name) => headers[name.toLowerCase()],
    _passport: {},
    flow: { state: context.state, codeVerifier: context.codeVerifier }
  }
}

/** The outcome a start must have: a redirect to the provider. */
function redirectOf (outcome: StrategyOutcome): string {
  if (outcome.kind !== 'redirect') throw new Error(`the strategy did not redirect to the provider (${outcome.kind})`)
  return outcome.url
}

export interface PassportProviderSpec {
  id: string
  name: string
  /** Which of the provider's apps serves this browser; kept from start to callback. */
  variant?: (flow: FlowContext) => string
  /** A strategy for this flow (the callback URL and the variant pick its settings). */
  strategy: (flow: FlowContext, variant: string | undefined) => Strategy
  /** Options of `authenticate` (e.g. the state, for strategies without a state store). */
  options?: (flow: FlowContext, variant: string | undefined) => Record<string, unknown>
  profile: (user: unknown) => ExternalProfile
}

/** An external provider whose protocol is a passport strategy's. */
export function passportProvider (spec: PassportProviderSpec): ExternalProvider {
  const optionsOf = spec.options ?? (() => ({}))
  return {
    id: spec.id,
    name: spec.name,
    async start (flow) {
      const variant = spec.variant?.(flow)
      const request = strategyRequest(flow)
      const url = redirectOf(await runStrategy(spec.strategy(flow, variant), request, optionsOf(flow, variant)))
      return { url, codeVerifier: request.flow.codeVerifier, variant }
    },
    async finish (callback) {
      const outcome = await runStrategy(spec.strategy(callback, callback.variant), strategyRequest(callback), optionsOf(callback, callback.variant))
      if (outcome.kind !== 'success') throw new ExternalSignInFailed(spec.name, outcome.kind === 'fail' ? outcome.reason : 'no user in the answer')
      return spec.profile(outcome.user)
    }
  }
}

/** A strategy's verify callback that hands the provider's profile on as the user. */
export function keepProfile (...args: unknown[]): void {
  const done = args[args.length - 1] as (err: null, user: unknown) => void
  done(null, args[args.length - 2])
}
