/**
 * The live access policy of a server: decides requests against the current
 * policy and swaps in a new one atomically on {@link AccessControl.reload}
 * (which the CLI calls on SIGHUP) or, optionally, when the file changes.
 * A file that fails to load leaves the old policy in force.
 * @module
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { EventEmitter } from 'eventemitter3';
import { decide, type AccessDecision, type AccessRequest } from './decide.js';
import { AccessPolicyError } from './errors.js';
import { loadAccessPolicy, type AccessPolicy } from './policy.js';

/** Events of an {@link AccessControl}. */
export interface AccessControlEvents {
  /** A new policy is in force. */
  reload: [policy: AccessPolicy];
  /** A reload failed; the previous policy stays in force. */
  reloadError: [error: AccessPolicyError];
}

/** Options of {@link AccessControl.load}. */
export interface AccessControlOptions {
  /**
   * Reload when the file changes (fs.watch on its directory, so editors that
   * replace the file are seen). SIGHUP handling is the embedder's: call {@link AccessControl.reload}.
   * @default false
   */
  readonly watch?: boolean;
  /**
   * How long changes must settle before a watched file is reloaded: editors
   * write in several steps.
   * @default 200
   */
  readonly watchDebounceMillis?: number;
}

/** Holds the access policy in force. */
export class AccessControl extends EventEmitter<AccessControlEvents> {
  #policy: AccessPolicy;
  readonly #path: string | null;
  #reloading: Promise<boolean> = Promise.resolve(true);
  #watcher: FSWatcher | null = null;
  #debounce: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  /**
   * @param policy - the policy in force at first.
   * @param path - the file {@link reload} re-reads; null when the policy has no file.
   */
  constructor(policy: AccessPolicy, path: string | null = null) {
    super();
    this.#policy = policy;
    this.#path = path;
  }

  /**
   * Loads an access file and returns its holder.
   * @throws {@link AccessPolicyError} when the file cannot be read or is invalid (the CLI exits 2).
   */
  static async load(path: string, options: AccessControlOptions = {}): Promise<AccessControl> {
    const control = new AccessControl(await loadAccessPolicy(path), path);
    if (options.watch === true) control.#watch(options.watchDebounceMillis ?? 200);
    return control;
  }

  /** The policy in force. */
  get policy(): AccessPolicy {
    return this.#policy;
  }

  /** Decides a request against the policy in force (see {@link decide}). */
  decide(request: AccessRequest): AccessDecision {
    return decide(this.#policy, request);
  }

  /**
   * Re-reads the file and puts its policy in force. On failure the old policy
   * stays and `reloadError` is emitted. Calls made while a reload runs queue
   * behind it, so the last call always reads the file's latest content.
   * @returns true when the new policy is in force.
   */
  reload(): Promise<boolean> {
    const path = this.#path;
    if (path === null) return Promise.resolve(false);
    this.#reloading = this.#reloading.then(async () => {
      if (this.#closed) return false;
      try {
        const policy = await loadAccessPolicy(path);
        if (this.#closed) return false;
        this.#policy = policy;
        this.emit('reload', policy);
        return true;
      } catch (err) {
        const error = err instanceof AccessPolicyError ? err : new AccessPolicyError(path, '', String(err), { cause: err });
        this.emit('reloadError', error);
        return false;
      }
    });
    return this.#reloading;
  }

  /** Replaces the policy in force with one built elsewhere (tests, embedders without a file). */
  setPolicy(policy: AccessPolicy): void {
    this.#policy = policy;
    this.emit('reload', policy);
  }

  /** Stops watching the file. The last policy stays usable. Idempotent. */
  close(): void {
    this.#closed = true;
    if (this.#debounce !== null) clearTimeout(this.#debounce);
    this.#debounce = null;
    this.#watcher?.close();
    this.#watcher = null;
  }

  #watch(debounceMillis: number): void {
    const path = this.#path;
    if (path === null) return;
    const name = basename(path);
    const watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file !== null && file !== name) return;
      // One pending timer at most, however many events arrive.
      if (this.#debounce !== null) clearTimeout(this.#debounce);
      this.#debounce = setTimeout(() => {
        this.#debounce = null;
        void this.reload();
      }, debounceMillis);
      this.#debounce.unref();
    });
    watcher.on('error', (err) => this.emit('reloadError', new AccessPolicyError(path, '', `watch failed: ${err.message}`, { cause: err })));
    this.#watcher = watcher;
  }
}
