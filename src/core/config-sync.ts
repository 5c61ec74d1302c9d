/**
 * Keeping a {@link NamesrvConfiguration} and a registry's runtime options in
 * step: the configuration's keys that map to registry options
 * (`scanNotActiveBrokerInterval` → `scanIntervalMillis`, the flags under
 * their own names) as the registry holds them now.
 * @module
 */
import type { NamesrvConfiguration } from './namesrv-config.js';
import { REGISTERED_CONFIG_KEYS } from './namesrv-config-keys.js';
import type { ResolvedRouteRegistryOptions } from './options.js';

/** The configuration keys and values (as 319 prints them) of a registry's runtime options. */
export function configValuesOfRegistry(options: ResolvedRouteRegistryOptions): Map<string, string> {
  const values = new Map<string, string>();
  for (const spec of REGISTERED_CONFIG_KEYS.values()) {
    if (spec.live === undefined) continue;
    const value: unknown = options[spec.live];
    // A fractional interval has no Java form: the configuration keeps what it had.
    if (typeof value === 'number' && !Number.isSafeInteger(value)) continue;
    values.set(spec.key, String(value));
  }
  return values;
}

/**
 * Sets `config`'s registry-level keys to the registry's current options, so
 * 319 shows (and 318 compares against) what the registry really does even
 * after `registry.updateOptions()` was called directly. Not persisted.
 */
export function syncConfigWithRegistry(config: NamesrvConfiguration, options: ResolvedRouteRegistryOptions): void {
  for (const [key, text] of configValuesOfRegistry(options)) {
    if (config.get(key) !== text) config.set(key, text);
  }
}
