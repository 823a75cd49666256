// Per-stage durations of one request, rendered as a `server-timing` header.
export type Stage = 'auth' | 'tokenize' | 'image' | 'cache' | 'edge' | 'backend' | 'encode'

export class StageTimings {
  readonly #durations = new Map<string, number>()

  add(stage: Stage | string, milliseconds: number): void {
    this.#durations.set(stage, (this.#durations.get(stage) ?? 0) + milliseconds)
  }

  async measure<T>(stage: Stage, run: () => Promise<T> | T): Promise<T> {
    const start = performance.now()
    try {
      return await run()
    } finally {
      this.add(stage, performance.now() - start)
    }
  }

  get(stage: Stage | string): number | undefined {
    return this.#durations.get(stage)
  }

  /** `auth;dur=0.4, tokenize;dur=1.2`: metric names are tokens, durations in milliseconds. */
  toHeader(): string {
    return [...this.#durations]
      .map(([stage, milliseconds]) => `${stage.replace(/[^\w-]/g, '_')};dur=${milliseconds.toFixed(2)}`)
      .join(', ')
  }
}
