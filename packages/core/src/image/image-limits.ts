// Service limits on images, shared by the gateway (before fetching/forwarding) and the decoders.

/** Most pixels (width x height) an image may declare before it is refused as a decompression bomb. */
export const defaultMaxImagePixels = 50_000_000
