// One deadline per backend call, merged with the caller's signal, that remembers which fired.

export interface Deadline {
  signal: AbortSignal
  timedOut(): boolean
  dispose(): void
}

export function startDeadline(timeoutMs: number, callerSignal: AbortSignal | undefined): Deadline {
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new Error(`deadline of ${timeoutMs} ms passed`))
  }, timeoutMs)
  const forward = () => controller.abort(callerSignal?.reason)
  if (callerSignal?.aborted) forward()
  else callerSignal?.addEventListener('abort', forward, { once: true })
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer)
      callerSignal?.removeEventListener('abort', forward)
    },
  }
}
