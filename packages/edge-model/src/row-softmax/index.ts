export { rowSoftmax } from './row-softmax'
