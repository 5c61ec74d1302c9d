/**
 * The address a controller served on this port gives brokers for itself
 * (GET_METADATA_INFO's `controllerLeaderAddress`): the listening host, or,
 * when it listens on every interface, the first non-internal IPv4 address
 * (else loopback), with the bound port.
 * @internal
 */
import { networkInterfaces } from 'node:os';

export function advertisedAddress(host: string, port: number): string {
  if (host !== '0.0.0.0' && host !== '::' && host !== '') return `${host.includes(':') ? `[${host}]` : host}:${port}`;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return `${address.address}:${port}`;
    }
  }
  return `127.0.0.1:${port}`;
}
