/**
 * Errors of the testing kit, each with one stable `code`.
 * @module
 */
import { NamesrvError } from './deps.js';

/** A name server refused a {@link FakeBroker}'s registration, or could not be reached. */
export class BrokerRegistrationError extends NamesrvError {
  declare readonly code: 'ERR_BROKER_REGISTRATION';
  /** The name server, as `host:port`. */
  readonly namesrvAddr: string;
  /** The name server's response code, or null when it gave none (unreachable, timed out). */
  readonly responseCode: number | null;

  constructor(namesrvAddr: string, responseCode: number | null, reason: string, options?: { cause?: unknown }) {
    super(`name server ${namesrvAddr} did not register the broker: ${reason}`, 'ERR_BROKER_REGISTRATION', options);
    this.name = 'BrokerRegistrationError';
    this.namesrvAddr = namesrvAddr;
    this.responseCode = responseCode;
  }
}

/** A wait helper ran out of time before what it waited for happened. */
export class WaitTimeoutError extends NamesrvError {
  declare readonly code: 'ERR_WAIT_TIMEOUT';
  /** How long it waited. */
  readonly timeoutMillis: number;

  constructor(what: string, timeoutMillis: number) {
    super(`timed out after ${timeoutMillis} ms waiting for ${what}`, 'ERR_WAIT_TIMEOUT');
    this.name = 'WaitTimeoutError';
    this.timeoutMillis = timeoutMillis;
  }
}

/** A name server answered a lookup ({@link TestNamesrv.route}, …) with an error code. */
export class NamesrvResponseError extends NamesrvError {
  declare readonly code: 'ERR_NAMESRV_RESPONSE';
  /** The response code (RocketMQ's `ResponseCode`). */
  readonly responseCode: number;
  /** The response's remark, or null. */
  readonly remark: string | null;

  constructor(request: string, responseCode: number, remark: string | null) {
    super(`${request} answered code ${responseCode}${remark === null ? '' : `: ${remark}`}`, 'ERR_NAMESRV_RESPONSE');
    this.name = 'NamesrvResponseError';
    this.responseCode = responseCode;
    this.remark = remark;
  }
}
