#!/usr/bin/env node
/**
 * `rocketmq-namesrv`: a standalone RocketMQ name server. The only module
 * that touches `process` (arguments, signals, exit codes).
 * @module
 */
import { CliUsageError, USAGE, defaultEnvironment, parseCommandLine } from './config.js';
import { startNamesrv, type CliLogger } from './namesrv.js';

const log: CliLogger = {
  info: (message) => process.stdout.write(`${new Date().toISOString()} INFO  ${message}\n`),
  warn: (message) => process.stderr.write(`${new Date().toISOString()} WARN  ${message}\n`),
  error: (message) => process.stderr.write(`${new Date().toISOString()} ERROR ${message}\n`),
};

async function main(argv: readonly string[]): Promise<void> {
  let command;
  try {
    command = parseCommandLine(argv, defaultEnvironment());
  } catch (err) {
    if (!(err instanceof CliUsageError)) throw err;
    process.stderr.write(`rocketmq-namesrv: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const { config } = command;
  if (config.ignoredProperties.length > 0) log.warn(`ignoring properties: ${config.ignoredProperties.join(', ')}`);
  const namesrv = await startNamesrv(config, log);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
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
        log.error(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// No top-level await: this file is also built as CommonJS.
main(process.argv.slice(2)).catch((err: unknown) => {
  log.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
