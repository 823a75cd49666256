export { InferenceThread } from './inference-thread'
