export { type LoadedTowers, type LoadTowersOptions, loadTowers, type Provider } from './load-towers'
export { type ModelFiles, openModelFiles, type TowerBytes } from './model-files'
export { warmUp } from './warm-up'
