export { writeSampleImages } from './sample-images'
export { type RunningStack, type StartStackOptions, startStack } from './start-stack'
