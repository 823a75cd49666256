// The request mix of the load test: what fraction of calls hits each path, and the bodies that do.
import { solidPng } from '../../test/node/support/png'

export type TrafficKind = 'edge' | 'cache' | 'backend-text' | 'image' | 'mixed' | 'bad'

/** Weights out of 100: mostly short texts and repeats, as search traffic is, plus some of the rest. */
export const TRAFFIC_MIX: readonly [TrafficKind, number][] = [
  ['edge', 35],
  ['cache', 30],
  ['backend-text', 10],
  ['image', 10],
  ['mixed', 10],
  ['bad', 5],
]

const WORDS = 'the a cat dog red car sits on in city night photo of with and blue small big'.split(' ')
const LONG_TEXT_WORDS = 80
const CACHED_TEXTS = 20

function words(count: number, seed: number): string {
  return Array.from({ length: count }, (_, index) => WORDS[(seed * 7 + index * 13) % WORDS.length]).join(' ')
}

export function pickKind(random: () => number): TrafficKind {
  let roll = random() * 100
  for (const [kind, weight] of TRAFFIC_MIX) {
    roll -= weight
    if (roll < 0) return kind
  }
  return 'edge'
}

/** A request body of `kind`; `sequence` keeps fresh inputs fresh (cache misses stay misses). */
export function bodyFor(kind: TrafficKind, sequence: number): unknown {
  const fresh = `${words(4, sequence)} ${sequence.toString(36)}`
  switch (kind) {
    case 'edge':
      return { input: fresh }
    case 'cache':
      return { input: `cached text ${sequence % CACHED_TEXTS}` }
    case 'backend-text':
      return { input: `${words(LONG_TEXT_WORDS, sequence)} ${sequence.toString(36)}` }
    case 'image':
      return { input: [{ image: imageUri(sequence) }] }
    case 'mixed':
      return {
        input: [fresh, `cached text ${sequence % CACHED_TEXTS}`, { image: imageUri(sequence) }, fresh],
      }
    case 'bad':
      return { input: [] }
  }
}

function imageUri(sequence: number): string {
  const bytes = solidPng(16 + (sequence % 16), 16, [sequence % 251, (sequence >> 8) % 251, 90])
  return `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`
}
