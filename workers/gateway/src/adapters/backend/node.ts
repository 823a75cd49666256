// Node-only backend client (Modal's SDK speaks gRPC over node:http2); never in the Workers bundle.
export type { ModalBackendOptions, ModalFunctionLike, ModalFunctionLookup } from './modal-backend.node.js'
export { ModalBackend } from './modal-backend.node.js'
