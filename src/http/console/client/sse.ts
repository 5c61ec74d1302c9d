/**
 * Follows `/events?routes=1`: a fetch-based Server-Sent Event reader (so it
 * can send a bearer token and `Last-Event-ID`), reconnecting with backoff.
 */
import { askToken, setConn } from './api.js';
import { BASE, S } from './state.js';

/** What the stream tells the page. */
export interface StreamHandlers {
  /** One event, its data unparsed. */
  readonly event: (type: string, data: string) => void;
  /** Connected; `resumed` when the server will replay what was missed. */
  readonly connected: (resumed: boolean) => void;
}

/** Starts following; returns a function that reconnects now (after a token was given). */
export function follow(handlers: StreamHandlers): () => void {
  let delay = 1000;
  const connect = (): void => {
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (S.token !== '') headers.Authorization = `Bearer ${S.token}`;
    if (S.lastId !== '') headers['Last-Event-ID'] = S.lastId;
    const resumed = S.lastId !== '' && S.loaded;
    fetch(`${BASE}/events?routes=1`, { headers, cache: 'no-store' }).then(async (res) => {
      if (res.status === 401 || res.status === 403) {
        askToken(res.status);
        return;
      }
      if (!res.ok || res.body === null) throw new Error(`events: HTTP ${res.status}`);
      setConn('ok', 'connected');
      delay = 1000;
      handlers.connected(resumed);
      await read(res.body.getReader(), handlers.event);
    }).catch(() => undefined).then(() => {
      // Without a usable token, retrying only repeats the refusal: wait for one.
      if (S.waitingForToken) return;
      setConn('warn', 'reconnecting');
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15_000);
    }, () => undefined);
  };
  connect();
  return connect;
}

/** Parses the stream into events until it ends. */
async function read(reader: ReadableStreamDefaultReader<Uint8Array>, onEvent: (type: string, data: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  const frame = { type: '', data: [] as string[], id: null as string | null };
  let buf = '';
  const line = (l: string): void => {
    if (l === '') {
      if (frame.id !== null) S.lastId = frame.id;
      if (frame.data.length > 0) onEvent(frame.type === '' ? 'message' : frame.type, frame.data.join('\n'));
      frame.type = '';
      frame.data = [];
      frame.id = null;
      return;
    }
    if (l.startsWith(':')) return;
    const i = l.indexOf(':');
    const field = i < 0 ? l : l.slice(0, i);
    let value = i < 0 ? '' : l.slice(i + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') frame.type = value;
    else if (field === 'data') frame.data.push(value);
    else if (field === 'id') frame.id = value;
  };
  for (;;) {
    const r = await reader.read();
    if (r.done) return;
    buf += decoder.decode(r.value, { stream: true });
    const parts = buf.split(/\r\n|\r|\n/);
    buf = parts.pop() ?? '';
    parts.forEach(line);
  }
}
