// Node side of the workerd tests: a real protocol backend on a local port, reachable from workerd.
import { readFile } from 'node:fs/promises'
import { fixtureModelSpec } from '@edgeclip/core'
import type { TestProject } from 'vitest/node'
import { writeFixtureFiles } from '../../../src/workers/fixture/write-fixture-files'
import { startProtocolBackend } from './protocol-backend'

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Before any test imports the Worker, which bundles these files as modules.
  const { modelPath } = await writeFixtureFiles()
  const backend = await startProtocolBackend({
    textModel: new Uint8Array(await readFile(modelPath)),
    dimensions: fixtureModelSpec.dimensions,
    padId: fixtureModelSpec.tokenizer.padId,
  })
  project.provide('backendUrl', backend.url)
  return () => backend.close()
}
