/**
 * This package's version, reported by `/health` and `rocketmq_namesrv_build_info`.
 * A test keeps it equal to package.json's (bundled ESM and CJS builds cannot
 * both locate package.json at run time).
 * @module
 */

/** The version of `rocketmq-namesrv` this code is. */
export const VERSION = '0.1.0';
