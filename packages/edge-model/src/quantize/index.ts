export { quantizeColumnsInt8, quantizeInt8 } from './quantize-int8'
export { quantizeBlocksQ4, quantizeQ4 } from './quantize-q4'
