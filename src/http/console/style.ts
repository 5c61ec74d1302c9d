/**
 * The console's stylesheet: dense tables, system fonts, light and dark.
 * @internal
 */

/** Inlined into the page (and hashed into its Content-Security-Policy). */
export const CONSOLE_STYLE = String.raw`
:root{--bg:#f5f6f8;--card:#fff;--fg:#1d2330;--muted:#667085;--line:#e3e6eb;--head:#f0f2f5;--accent:#2563eb;
--ok:#137333;--ok-bg:#e6f4ea;--warn:#a15c00;--warn-bg:#fdf1dc;--bad:#b3261e;--bad-bg:#fbe9e7;--chip:#eef1f6;
--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0f1217;--card:#171b22;--fg:#e3e7ee;--muted:#98a2b3;--line:#2a303b;
--head:#1d222b;--accent:#7aa2ff;--ok:#6fd08c;--ok-bg:#15301f;--warn:#f0b35a;--warn-bg:#3a2b12;--bad:#ff8a80;
--bad-bg:#3b1816;--chip:#232a35}}
*{box-sizing:border-box}
[hidden]{display:none !important}
html,body{margin:0;height:100%}
body{background:var(--bg);color:var(--fg);font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
display:flex;flex-direction:column}
header{display:flex;align-items:center;gap:14px;padding:8px 16px;background:var(--card);border-bottom:1px solid var(--line);flex-wrap:wrap}
header h1{font-size:15px;margin:0;font-weight:600;letter-spacing:.1px}
header .sub{color:var(--muted)}
header .spacer{flex:1}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:500;white-space:nowrap}
.pill.ok{background:var(--ok-bg);color:var(--ok)}.pill.warn{background:var(--warn-bg);color:var(--warn)}
.pill.bad{background:var(--bad-bg);color:var(--bad)}
.stats{display:flex;gap:14px;color:var(--muted)}.stats b{color:var(--fg);font-weight:600}
form.token{display:flex;gap:6px;align-items:center}
input{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:4px 8px}
input:focus{outline:2px solid var(--accent);outline-offset:-1px}
button{font:inherit;border:1px solid var(--line);background:var(--head);color:inherit;border-radius:6px;padding:3px 10px;cursor:pointer}
main#overview{flex:1;min-height:0;display:grid;gap:12px;padding:12px 16px;grid-template-columns:minmax(240px,1fr) minmax(0,3fr);
grid-template-rows:minmax(0,1fr) minmax(0,1.25fr);grid-template-areas:"clusters brokers" "kv topics"}
#clusters{grid-area:clusters}#brokers{grid-area:brokers}#kv{grid-area:kv}#topics{grid-area:topics}
@media (max-width:900px){main#overview{display:flex;flex-direction:column}.card{min-height:260px}}
.graphs{display:grid;grid-template-columns:repeat(6,minmax(0,1fr));gap:12px;padding:12px 16px 0}
@media (max-width:900px){.graphs{grid-template-columns:repeat(2,minmax(0,1fr))}}
.graph{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:6px 8px 2px;min-width:0;display:flex;flex-direction:column}
.graph figcaption{font-size:12px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.graph .legend{display:flex;flex-wrap:wrap;gap:0 10px;font-size:11px;line-height:15px;color:var(--muted);min-height:30px;align-content:flex-start}
.graph .legend b{color:var(--fg);font-weight:600;font-variant-numeric:tabular-nums}
.graph .swatch{display:inline-block;width:12px;height:0;border-top:2px solid;margin-right:4px;vertical-align:middle}
.graph .swatch.dashed{border-top-style:dashed}
.graph .legend .note{flex-basis:100%;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.graph .plot{min-width:0;overflow:hidden;margin-top:auto}
.u-wrap{position:relative;user-select:none}.u-over,.u-under{position:absolute}.u-under{overflow:hidden}
.uplot canvas{display:block;position:relative;width:100%;height:100%}.u-axis{position:absolute}
.u-select,.u-cursor-x,.u-cursor-y,.u-cursor-pt{display:none}
main#detail{flex:1;min-height:0;overflow:auto;padding:12px 16px}
.crumbs{display:flex;gap:4px;align-items:baseline;margin-bottom:8px;color:var(--muted)}
.detail-page{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;max-width:1400px}
.detail-title{font-size:16px;margin:0 0 4px;font-weight:600}.detail-title .name{font-size:15px;word-break:break-all}
.summary,.muted{color:var(--muted)}
.detail-section{margin-top:14px}.detail-section h3{font-size:13px;margin:0 0 6px}
.detail-table{width:auto;min-width:50%}.detail-table td{white-space:normal;word-break:break-word}
.detail-table code.json{font-family:var(--mono);font-size:11px;white-space:pre-wrap;word-break:break-all}
.addrs{display:flex;flex-wrap:wrap;gap:4px 12px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:8px 0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.topic-links{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px}
.timeline td:first-child{font-family:var(--mono);font-size:12px;white-space:nowrap}
tr.tl-left td{color:var(--bad)}tr.tl-registered td{color:var(--ok)}
tr.tl-refused td,tr.tl-ignored td{color:var(--warn)}
header a.tab{padding:2px 10px;border:1px solid var(--line);border-radius:6px;color:var(--fg)}header a.tab.current{border-color:var(--accent);color:var(--accent)}
.replicas{display:flex;flex-wrap:wrap;gap:4px 14px}.replica b{font-variant-numeric:tabular-nums}.replica.inactive .mono{text-decoration:line-through;color:var(--muted)}
.controller-groups td:nth-child(-n+5),.controller-live td{white-space:nowrap;word-break:normal}
input.ctl-filter{width:min(340px,100%);margin:6px 0 0}tr.troubled td:nth-child(2){font-weight:600}
tr.ctl-masterElected td{color:var(--ok)}tr.ctl-brokerInactive td{color:var(--bad)}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;display:flex;flex-direction:column;min-height:0;overflow:hidden}
.card h2{font-size:13px;margin:0;padding:8px 12px;border-bottom:1px solid var(--line);display:flex;align-items:center;gap:8px;font-weight:600}
.card h2 .count{color:var(--muted);font-weight:400}
.card h2 input{margin-left:auto;width:min(340px,60%)}
.scroll{overflow:auto;min-height:0;flex:1}
table{border-collapse:collapse;width:100%}
th{position:sticky;top:0;background:var(--head);text-align:left;font-weight:600;color:var(--muted);font-size:12px;z-index:1}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);white-space:nowrap;vertical-align:middle}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.group-start td{border-top:1px solid var(--line)}
tr.gone td{color:var(--muted)}tr.gone td.addr{text-decoration:line-through}
.mono,td.addr{font-family:var(--mono);font-size:12px}
.role{font-weight:500;color:var(--fg)}
a{color:var(--accent);text-decoration:none}a:hover,a:focus-visible{text-decoration:underline}
td.addr a{color:inherit;text-decoration:underline dotted;text-underline-offset:2px}td.addr a:hover{color:var(--accent)}
td.status{white-space:normal;min-width:11.5em}#brokers th,#brokers td{padding:4px 8px}td.status .pill{white-space:normal;display:inline-block;line-height:1.3}
#brokers th{white-space:normal;vertical-align:bottom}
.empty{color:var(--muted);padding:14px 12px}
.vlist{position:relative;overflow:auto;flex:1;min-height:0}
.vrow{position:absolute;left:0;right:0;height:30px;display:flex;align-items:center;gap:12px;padding:0 12px;border-bottom:1px solid var(--line)}
.vrow .topic{font-family:var(--mono);font-size:12px;flex:0 0 34%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;color:var(--fg)}
.vrow .route{flex:1;min-width:0;display:flex;gap:6px;overflow:hidden;white-space:nowrap;color:var(--muted);align-items:center}
.vrow .more{font-size:12px;white-space:nowrap;flex:none}
.vhead{display:flex;gap:12px;padding:4px 12px;background:var(--head);color:var(--muted);font-size:12px;font-weight:600;border-bottom:1px solid var(--line)}
.vhead span:first-child{flex:0 0 34%}
.chip{background:var(--chip);color:var(--fg);border-radius:4px;padding:1px 6px;font-size:12px;white-space:nowrap}
.chip .q{color:var(--muted);font-family:var(--mono);font-size:11px;margin-left:4px}
.chip.ro{color:var(--warn)}
.ns{padding:6px 12px 2px;font-weight:600;font-family:var(--mono);font-size:12px;display:flex;gap:6px}
.ns span{color:var(--muted);font-weight:400;font-family:inherit}
.kv td{font-family:var(--mono);font-size:12px;white-space:normal;word-break:break-all}
.kv td:first-child{width:40%;color:var(--muted)}
`;
