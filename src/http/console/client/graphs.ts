/**
 * Live graphs of the last 15 minutes (uPlot): route requests/s,
 * registrations/s by outcome, registrations refused or ignored/s, live
 * brokers, event-loop delay, memory in use.
 * Samples come from `GET /stats/history?after=SEQ`, polled once per sample
 * interval; each graph names its series and current values in text.
 */
import uPlot from 'uplot';
import { json, statusOf } from './api.js';
import { byId, clear, el, link } from './dom.js';
import { bytes, clockTime, fmt, short } from './format.js';
import { brokerHref } from './links.js';
import type { HistoryReply, Sample } from './types.js';

/** One line of a graph. */
interface SeriesDef {
  readonly label: string;
  readonly color: string;
  readonly value: (s: Sample) => number;
  readonly dash?: number[];
  /** Shown as a trailing mean over this many seconds: for what comes periodically (heartbeats every 30 s). */
  readonly meanSeconds?: number;
}

/** One graph. */
interface GraphDef {
  readonly id: string;
  readonly title: (memory: HistoryReply['memory']) => string;
  readonly series: readonly SeriesDef[];
  /** The current value as text. */
  readonly text: (v: number, s: Sample) => string;
  /** Names the latest address refused or ignored, linked to its page (the refused graph). */
  readonly namesNotApplied?: true;
}

const BLUE = '#3b82f6';
const GREEN = '#22a45d';
const AMBER = '#e08a00';
const RED = '#e5484d';
const PURPLE = '#8b5cf6';
const MIB = 1024 * 1024;

const GRAPHS: readonly GraphDef[] = [
  { id: 'routes', title: () => 'Route requests/s', series: [{ label: 'requests/s', color: BLUE, value: (s) => s.routeRequests }], text: (v) => short(v) },
  {
    id: 'registrations',
    // Short enough for six graphs across 1280 px; the legend names the outcomes.
    title: () => 'Registrations/s',
    series: [
      { label: 'new', color: GREEN, value: (s) => s.registered },
      { label: 'heartbeat (30 s mean)', color: BLUE, value: (s) => s.heartbeats, meanSeconds: 30 },
      { label: 'changed', color: PURPLE, value: (s) => s.updated },
      { label: 'left', color: RED, value: (s) => s.left },
    ],
    text: (v) => short(v),
  },
  {
    // Registrations the registry did not apply: a broker misconfigured, past a limit, or a stale replica still heartbeating.
    id: 'refused',
    title: () => 'Registrations refused/s',
    series: [
      { label: 'refused', color: RED, value: (s) => s.refused },
      { label: 'ignored', color: AMBER, value: (s) => s.ignored },
    ],
    text: (v) => short(v),
    namesNotApplied: true,
  },
  { id: 'brokers', title: () => 'Live brokers', series: [{ label: 'live', color: GREEN, value: (s) => s.liveBrokers }], text: (v) => short(v) },
  {
    id: 'loop',
    title: () => 'Event-loop delay (ms)',
    series: [
      { label: 'p99', color: AMBER, value: (s) => s.loopDelayP99Millis },
      { label: 'max', color: RED, value: (s) => s.loopDelayMaxMillis, dash: [4, 3] },
    ],
    text: (v) => short(v),
  },
  {
    id: 'memory',
    title: (m) => (m === 'budget' ? 'Memory budget (MiB)' : 'Heap in use (MiB)'),
    series: [{ label: 'in use', color: PURPLE, value: (s) => s.memoryUsedBytes / MIB }],
    text: (_v, s) => `${bytes(s.memoryUsedBytes)} of ${bytes(s.memoryLimitBytes)}`,
  },
];

/** The window shown: 15 minutes, or what the server keeps if more. */
const WINDOW_SECONDS = 15 * 60;
const HEIGHT = 92;

interface Graph {
  readonly def: GraphDef;
  readonly figure: HTMLElement;
  readonly caption: HTMLElement;
  readonly values: HTMLElement[];
  readonly plot: uPlot;
  /** Where the latest refused address goes, for a graph that names it. */
  readonly note: HTMLElement | null;
}

const state = {
  samples: [] as Sample[],
  lastSeq: 0,
  capacity: 450,
  intervalMillis: 2_000,
  memory: 'heap' as HistoryReply['memory'],
  notApplied: [] as NonNullable<HistoryReply['notApplied']>,
  graphs: [] as Graph[],
  stopped: false,
};

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function options(def: GraphDef, width: number): uPlot.Options {
  const axis = cssVar('--muted', '#667085');
  const grid = cssVar('--line', '#e3e6eb');
  const font = '10px system-ui, sans-serif';
  return {
    width,
    height: HEIGHT,
    legend: { show: false },
    cursor: { show: false },
    select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    scales: {
      // The newest sample is the right edge: the graph moves with every sample.
      x: { time: true, range: (_u, _min, max) => [max - Math.max(WINDOW_SECONDS, (state.capacity * state.intervalMillis) / 1000), max] },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.2 : 1] },
    },
    axes: [
      { stroke: axis, font, size: 20, grid: { stroke: grid, width: 1 }, ticks: { show: false }, values: (_u, vals) => vals.map(hm) },
      { stroke: axis, font, size: 38, grid: { stroke: grid, width: 1 }, ticks: { show: false }, values: (_u, vals) => vals.map((v) => short(v)) },
    ],
    series: [{}, ...def.series.map((s) => ({
      label: s.label, stroke: s.color, width: 1.5, points: { show: false }, ...(s.dash === undefined ? {} : { dash: s.dash }),
    }))],
  };
}

/** `14:05` in the browser's time zone: one short line under a small graph. */
function hm(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** `series` of every sample, as a trailing mean when it asks for one (a sliding window, O(samples)). */
function column(series: SeriesDef): number[] {
  const values = state.samples.map((s) => series.value(s));
  if (series.meanSeconds === undefined) return values;
  const span = series.meanSeconds * 1000;
  const out: number[] = [];
  let sum = 0;
  let from = 0;
  state.samples.forEach((s, i) => {
    sum += values[i] as number;
    while ((state.samples[from] as Sample).at <= s.at - span) sum -= values[from++] as number;
    out.push(Math.round((sum / (i - from + 1)) * 100) / 100);
  });
  return out;
}

function data(def: GraphDef): uPlot.AlignedData {
  return [state.samples.map((s) => s.at / 1000), ...def.series.map(column)];
}

/** The figure's width inside its padding. */
function plotWidth(figure: HTMLElement): number {
  const style = getComputedStyle(figure);
  return Math.max(120, Math.floor(figure.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)));
}

function build(container: HTMLElement): void {
  clear(container);
  state.graphs = GRAPHS.map((def) => {
    const figure = el('figure', 'graph');
    figure.id = `graph-${def.id}`;
    // The canvas is a picture; the caption and the legend's figures are its text.
    figure.setAttribute('role', 'group');
    figure.setAttribute('aria-label', `${def.title(state.memory)}, the last 15 minutes`);
    const caption = el('figcaption', '', def.title(state.memory));
    const legend = el('div', 'legend');
    const values = def.series.map((s) => {
      const item = el('span', 'key');
      const swatch = el('span', s.dash === undefined ? 'swatch' : 'swatch dashed');
      swatch.style.borderColor = s.color;
      const value = el('b', '', '–');
      item.append(swatch, el('span', '', `${s.label} `), value);
      legend.appendChild(item);
      return value;
    });
    const note = def.namesNotApplied === true ? el('span', 'note') : null;
    if (note !== null) legend.appendChild(note);
    const target = el('div', 'plot');
    figure.append(caption, legend, target);
    container.appendChild(figure);
    const plot = new uPlot(options(def, plotWidth(figure)), data(def), target);
    return { def, figure, caption, values, plot, note };
  });
  new ResizeObserver(() => {
    for (const g of state.graphs) g.plot.setSize({ width: plotWidth(g.figure), height: HEIGHT });
  }).observe(container);
}

/** `last: ADDR refused 3×` (the reason in its title), linked to the address's page, whose timeline has every reason. */
function noteNotApplied(note: HTMLElement): void {
  clear(note);
  const last = state.notApplied[0];
  if (last === undefined) return;
  note.append('last: ', link(brokerHref(last.clusterName, last.brokerAddr), last.brokerAddr, 'mono'), ` ${last.outcome} ${fmt(last.count)}×`);
  note.title = `${last.brokerName} (id ${last.brokerId}), ${clockTime(last.lastAt)}: ${last.reason}`;
}

function update(): void {
  const latest = state.samples[state.samples.length - 1];
  for (const g of state.graphs) {
    if (g.note !== null) noteNotApplied(g.note);
    const d = data(g.def);
    g.caption.textContent = g.def.title(state.memory);
    g.plot.setData(d);
    g.figure.dataset.points = String(state.samples.length);
    g.figure.dataset.at = String(latest?.at ?? 0);
    g.def.series.forEach((_s, i) => {
      const v = (d[i + 1] as number[])[state.samples.length - 1] ?? 0;
      const cell = g.values[i];
      if (cell !== undefined) cell.textContent = latest === undefined ? '–' : g.def.text(v, latest);
      if (i === 0) g.figure.dataset.last = String(v);
    });
  }
}

async function poll(): Promise<void> {
  if (state.stopped) return;
  try {
    const reply = await json<HistoryReply>(`/stats/history?after=${state.lastSeq}`);
    state.capacity = reply.capacity;
    state.intervalMillis = reply.intervalMillis;
    state.memory = reply.memory;
    state.notApplied = reply.notApplied ?? [];
    for (const s of reply.samples) {
      if (s.seq <= state.lastSeq) continue;
      state.samples.push(s);
      state.lastSeq = s.seq;
    }
    if (state.samples.length > state.capacity) state.samples.splice(0, state.samples.length - state.capacity);
    update();
  } catch (e) {
    // History turned off on this server: no graphs, and no point asking again.
    if (statusOf(e) === 404) {
      byId('graphs').hidden = true;
      state.stopped = true;
      return;
    }
  }
  window.setTimeout(() => void poll(), Math.max(500, state.intervalMillis));
}

/** Builds the graphs and starts following the samples. */
export function startGraphs(): void {
  build(byId('graphs'));
  void poll();
}

/** Starts over after the server restarted (its sample numbers began again). */
export function resetGraphs(): void {
  state.samples = [];
  state.lastSeq = 0;
  update();
}
