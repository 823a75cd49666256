// `server-timing` from the stage durations the embedder measured, plus the request's total.
export function serverTiming(timings: Record<string, number>, totalMs: number): string {
  return [...Object.entries(timings), ['total', totalMs] as const]
    .map(([stage, ms]) => `${stage};dur=${ms.toFixed(1)}`)
    .join(', ')
}
