/** Formatting of numbers, ages and sizes; sorting and own keys of plain objects. */

/** `1,234` (en-US grouping, whatever the browser's locale). */
export function fmt(n: number): string {
  return Number(n).toLocaleString('en-US');
}

/** `7s ago`, `3m 5s ago`, `2h 1m ago`, `4d ago`. */
export function ago(ms: number): string {
  const s = Math.floor((ms >= 0 ? ms : 0) / 1000);
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m ago`;
  return `${Math.floor(h / 24)}d ago`;
}

/** `120 s` or `1,500 ms`. */
export function duration(ms: number): string {
  return ms % 1000 === 0 ? `${fmt(ms / 1000)} s` : `${fmt(ms)} ms`;
}

/** `12.3 MiB`. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i] ?? 'B'}`;
}

/** A short figure for a graph's current value: `0`, `1.5`, `12`, `1.2k`. */
export function short(n: number): string {
  if (n >= 10_000) return `${(n / 1000).toFixed(0)}k`;
  if (n >= 1000) return `${(n / 1000).toFixed(1)}k`;
  if (n >= 10 || Number.isInteger(n)) return n.toFixed(0);
  return n.toFixed(1);
}

/** `2026-12-07 19:31:18` in UTC. */
export function clockTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** Sorted by code units (the registry's order). */
export function sorted<T>(items: Iterable<T>, key: (item: T) => string): T[] {
  return Array.from(items).sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Own keys of a JSON object (`__proto__` included, as JSON.parse makes it an own key). */
export function own(o: unknown): string[] {
  return o !== null && typeof o === 'object' ? Object.keys(o) : [];
}

/** Own property of a JSON object, never an inherited one (`constructor`, `toString`). */
export function ownValue<T>(o: Readonly<Record<string, T>> | undefined | null, key: string): T | undefined {
  return o !== null && o !== undefined && Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

/** `RW`, `R`, `W` or `—` for a permission. */
export function permText(perm: number): string {
  return ((perm & 4) !== 0 ? 'R' : '') + ((perm & 2) !== 0 ? 'W' : '') || '—';
}
