// Which model spec and directory a command works on, from flags and the environment.
import { defaultModelSpec, fixtureModelSpec, type ModelSpec } from '@edgeclip/core'
import { type CommandIo, resolveUserPath } from './command'

/** `EDGECLIP_MODEL=fixture` selects testkit's fixture model; anything else the real one. */
export function isFixtureModel(io: Pick<CommandIo, 'env'>): boolean {
  return io.env.EDGECLIP_MODEL === 'fixture'
}

export function selectedModelSpec(io: Pick<CommandIo, 'env'>): ModelSpec {
  return isFixtureModel(io) ? fixtureModelSpec : defaultModelSpec
}

/** --dir / --model-dir, else EDGECLIP_MODEL_DIR, else <EDGECLIP_DATA_DIR or .edgeclip>/models/<model id>. */
export function modelDir(
  io: Pick<CommandIo, 'env' | 'cwd'>,
  spec: ModelSpec,
  flag: string | undefined,
): string {
  const chosen = flag ?? io.env.EDGECLIP_MODEL_DIR
  if (chosen) return resolveUserPath(io, chosen)
  return resolveUserPath(io, `${io.env.EDGECLIP_DATA_DIR || '.edgeclip'}/models/${spec.id}`)
}
