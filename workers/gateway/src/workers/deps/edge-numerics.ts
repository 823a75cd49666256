// Numerics names of the Workers edge towers, apart from their loaders so Node code (bench, tests)
// can key cache entries the way a Workers gateway does without importing workerd-only modules.

/** A single-file tower run by onnxruntime-web in this isolate. */
export const IN_PROCESS_EDGE_NUMERICS = 'fp32/onnxruntime-web-wasm'
