/**
 * Bundles the console's browser code (`client/main.ts` and uPlot) into one
 * IIFE script. Used by the package build (tsup.config.ts inlines the result)
 * and, when running from the sources, by `bundle.ts` on first use. Needs
 * esbuild, a dev dependency: the published package never runs this.
 * @internal
 */
import { fileURLToPath } from 'node:url';

/** The console script (from `entry`, by default `client/main.ts` beside this file): minified, for browsers of the last few years, no source map. */
export async function bundleConsole(entry?: string): Promise<string> {
  // Resolved here, not at load: a build of this module that never bundles (CommonJS) must still load.
  const entryPoint = entry ?? fileURLToPath(new URL('./client/main.ts', import.meta.url));
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entryPoint],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    write: false,
    // uPlot's MIT notice travels with the code (its header is not a `/*!` comment esbuild would keep).
    banner: { js: '/*! uPlot (https://github.com/leeoniya/uPlot) Copyright (c) 2025 Leon Sorokin, MIT License */' },
    legalComments: 'inline',
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error('esbuild produced no console script');
  return file.text;
}
