// @edgeclip/gateway/node: the Node host.

export type { LoadNodeModelOptions } from './load-node-model'
export { loadNodeModel } from './load-node-model'
export type { NodeModel } from './node-deps'
export { CACHE_FILE_NAME, createBackend, createNodeDeps } from './node-deps'
export type { ModalSettings, ModelSource, NodeGatewaySettings } from './node-settings'
export { DEFAULT_BACKEND_URL, DEFAULT_PORT, readNodeSettings } from './node-settings'
export type { NodeGateway, StartNodeGatewayOptions } from './start-node-gateway'
export { startNodeGateway } from './start-node-gateway'
