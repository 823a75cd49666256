// Node side of the workerd tests: real protocol backends on local ports, reachable from workerd
// (one on the fixture model, one on the synthetic JinaBERT the split edge tower is built from),
// and the part Worker's bundle for the auxiliary Workers in vitest.workers.config.mts.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fixtureModelSpec } from '@edgeclip/core'
import type { TestProject } from 'vitest/node'
import { writeFixtureFiles } from '../../../src/workers/fixture/write-fixture-files'
import { startProtocolBackend } from './protocol-backend'
import { buildSplitEdgeArtifact } from './split-edge-artifact'

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Before any test imports the Worker, which bundles these files as modules.
  const { modelPath } = await writeFixtureFiles()
  const workDir = await mkdtemp(join(tmpdir(), 'edgeclip-split-edge-'))
  const artifact = await buildSplitEdgeArtifact(workDir, packageDir)
  const backendOptions = {
    dimensions: fixtureModelSpec.dimensions,
    padId: fixtureModelSpec.tokenizer.padId,
  }
  const backend = await startProtocolBackend({
    ...backendOptions,
    textModel: new Uint8Array(await readFile(modelPath)),
  })
  const splitBackend = await startProtocolBackend({
    ...backendOptions,
    textModel: artifact.fp32,
    filesDir: artifact.edgeDir,
  })
  project.provide('backendUrl', backend.url)
  project.provide('splitBackendUrl', splitBackend.url)
  project.provide('edgeArtifactFiles', artifact.files)
  project.provide('rebuiltEdgeArtifactFiles', artifact.rebuiltFiles)
  project.provide('edgePartBundleDir', artifact.partBundleDir)
  return async () => {
    await Promise.all([backend.close(), splitBackend.close()])
    await rm(workDir, { recursive: true, force: true })
  }
}
