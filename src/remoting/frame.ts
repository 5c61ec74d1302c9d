/**
 * Forwarder kept for `src/cli/config.ts`, which imports the frame limit from
 * here; delete it once the CLI reads `REMOTING_SERVER_DEFAULTS.maxFrameBytes`.
 * The frame codec lives in `codec/frame.ts`.
 * @internal
 */
export { DEFAULT_MAX_FRAME_BYTES } from './codec/frame.js';
