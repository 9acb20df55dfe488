// How pages show a @lit/task: loading, error with "Try again", empty, or the content. While a task
// runs again (a refresh) the last content stays on screen.
import type { Task } from '@lit/task'
import { TaskStatus } from '@lit/task'
import { html, type TemplateResult } from 'lit'
import { describeError } from '../i18n/errors.js'

export interface TaskViewOptions<T> {
  /** True when the value has nothing to show; `emptyView` renders instead. */
  isEmpty?: (value: T) => boolean
  emptyView?: () => TemplateResult
  /** Replaces the generic error state (e.g. "not available on this server"). */
  errorView?: (error: unknown) => TemplateResult | undefined
}

export function taskView<T> (task: Task<readonly unknown[], T>, content: (value: T) => unknown, options: TaskViewOptions<T> = {}): unknown {
  const value = task.value
  if (task.status === TaskStatus.ERROR) {
    return options.errorView?.(task.error) ?? html`<oc-state-view kind="error" .message=${describeError(task.error)} @oc-retry=${() => { void task.run() }}></oc-state-view>`
  }
  if (value === undefined || (task.status !== TaskStatus.COMPLETE && task.status !== TaskStatus.PENDING)) {
    return html`<oc-state-view kind="loading"></oc-state-view>`
  }
  if (options.isEmpty?.(value) === true && options.emptyView !== undefined) return options.emptyView()
  return content(value)
}
