#!/usr/bin/env node
/**
 * `rocketmq-namesrv`: a standalone RocketMQ name server (RocketMQ's
 * `mqnamesrv`). Owns the process's life: arguments, signals, exit codes
 * (0 stopped, 1 start-up failed, 2 bad command line or access file). Elsewhere
 * only the logger (`process.stdout`/`stderr`), the CLI's configuration (the
 * working directory) and the name server configuration (`ROCKETMQ_HOME`, as
 * Java reads it) touch `process`.
 * @module
 */
import { NamesrvError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { AccessPolicyError } from '../remoting/access/errors.js';
import { defaultEnvironment, effectiveConfigFields, formatPrintConfig, loadSettings, type ServerSettings } from './config.js';
import { CliUsageError, USAGE, parseFlags, type CliFlags } from './flags.js';
import { createLogger, type Logger } from './log.js';
import { logBoot, startNamesrv, type RunningNamesrv } from './namesrv.js';

async function main(argv: readonly string[]): Promise<void> {
  let flags: CliFlags;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    if (!(err instanceof CliUsageError)) throw err;
    process.stderr.write(`rocketmq-namesrv: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (flags.command === 'help') return void process.stdout.write(USAGE);
  if (flags.command === 'version') return void process.stdout.write(`${VERSION}\n`);
  const log = createLogger({ level: flags.logLevel, format: flags.logFormat });

  let settings: ServerSettings;
  try {
    settings = loadSettings(flags, defaultEnvironment());
  } catch (err) {
    return failStart(err, log);
  }
  // -p prints properties only (Java prefixes its lines with a log pattern), so the output can be read back.
  if (flags.command === 'print') return void process.stdout.write(formatPrintConfig(settings));

  if (settings.configFile !== null) log.info(`load config properties file OK, ${settings.configFile}`);
  if (flags.ignoredSystemProperties.length > 0) {
    log.warn('ignoring -D system properties (only tls.* are read)', { keys: flags.ignoredSystemProperties });
  }
  // The full configuration is long: at debug, and what `-p` prints (as `mqnamesrv -p`).
  log.debug('effective configuration', effectiveConfigFields(settings));

  // Handlers first: a signal during start-up must not take its default action (SIGHUP would kill the server).
  const server: { running: RunningNamesrv | null } = { running: null };
  handleSignals(server, log);
  try {
    server.running = await startNamesrv(settings, log);
  } catch (err) {
    return failStart(err, log);
  }
  // After the handlers can reach the server: a script that signals on this line finds it ready.
  logBoot(server.running, settings, log);
  if (server.running.httpAddress === null) {
    log.info('HTTP is off: --http-port PORT serves the console, /metrics and the /health probes');
  }
}

function handleSignals(server: { readonly running: RunningNamesrv | null }, log: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    const namesrv = server.running;
    if (namesrv === null) {
      // Still starting: nothing to flush yet.
      log.info(`${signal} received during start-up, exiting`);
      process.exit(1);
    }
    if (stopping) {
      // A second signal: the user does not want to wait.
      log.warn(`${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal} received, shutting down`);
    namesrv.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('shutdown failed', { error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Without a handler SIGHUP would kill the server; with one it reloads, as daemons do.
  process.on('SIGHUP', () => {
    const namesrv = server.running;
    if (namesrv === null) {
      log.info('SIGHUP received during start-up, the access file was just read');
      return;
    }
    if (namesrv.accessControl === null) {
      log.info('SIGHUP received, no access file to reload');
      return;
    }
    log.info('SIGHUP received, reloading the access file');
    // Success and failure are logged by the access control's events.
    void namesrv.reloadAccess();
  });
}

/** Errors an operator causes and can fix: one line, no stack. Exit 2 for the access file (contract), else 1. */
function failStart(err: unknown, log: Logger): never {
  const expected = err instanceof NamesrvError || isSystemError(err);
  const message = err instanceof Error ? err.message : String(err);
  if (expected) log.error(`start-up failed: ${message}`);
  else log.error(`start-up failed: ${message}`, { stack: err instanceof Error ? err.stack : undefined });
  process.exit(err instanceof AccessPolicyError ? 2 : 1);
}

/** `listen EADDRINUSE`, `EACCES`, `ENOENT`…: Node's system errors carry a string `code` starting with E. */
function isSystemError(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string'
    && /^E[A-Z]+$/.test((err as NodeJS.ErrnoException).code as string);
}

// No top-level await: tools may load this file as CommonJS.
main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`rocketmq-namesrv: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
