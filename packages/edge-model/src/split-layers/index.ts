export { chooseCuts, findCuts, type GraphPart, splitAtCuts, splitLayers } from './split-layers'
