// Module types for files wrangler bundles by rule (wasm: CompiledWasm, onnx: Data, txt: Text).
declare module '*.wasm' {
  const wasmModule: WebAssembly.Module
  export default wasmModule
}

declare module '*.onnx' {
  const bytes: ArrayBuffer
  export default bytes
}

declare module '*.txt' {
  const text: string
  export default text
}
