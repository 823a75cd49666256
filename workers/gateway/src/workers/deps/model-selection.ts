// EDGECLIP_MODEL picks the spec and where its text tower and vocab come from.
import { EdgeclipError, fixtureModelSpec, type ModelSpec, modelSpecs } from '@edgeclip/core'
import { bundledTextModelSource, r2TextModelSource, type TextModelSource } from '../edge-tower'
import type { WorkersEnv } from '../env'
import { fixtureTextModel, fixtureVocabText } from '../fixture'

export const FIXTURE_MODEL = 'fixture'

export function selectModel(env: Pick<WorkersEnv, 'EDGECLIP_MODEL' | 'MODELS'>): {
  spec: ModelSpec
  source: TextModelSource
} {
  const name = env.EDGECLIP_MODEL || FIXTURE_MODEL
  if (name === FIXTURE_MODEL) {
    return {
      spec: fixtureModelSpec,
      source: bundledTextModelSource(FIXTURE_MODEL, fixtureTextModel, fixtureVocabText),
    }
  }
  const spec = modelSpecs[name]
  if (!spec) {
    const known = [FIXTURE_MODEL, ...Object.keys(modelSpecs)].join(', ')
    // A deploy-time mistake, not the caller's: 503 so clients retry once the config is fixed.
    throw new EdgeclipError(`EDGECLIP_MODEL=${name} is not a known model (${known}).`, {
      status: 503,
      code: 'model_misconfigured',
    })
  }
  return { spec, source: r2TextModelSource(env.MODELS, spec) }
}
