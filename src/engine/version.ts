/** Bumped with the engine's checkpoint schema and wire format; the worker reports it to the extension. */
export const ENGINE_VERSION = '0.1.0';
