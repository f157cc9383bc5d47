/**
 * The read-only Markdown documents "Observe Agent" and "Open Discovery Details" show
 * (documents.ts serves them under the `codex-governance:` scheme, opened in a text editor).
 * Agent-written text is kept as written so it reads naturally; only table cells escape `|`.
 */
import type { ObserveResult } from '../../core/governance';
import type { DiscoveryDetails, EdgeView } from '../../knowledge/knowledge';

const n2 = (x: number) => x.toFixed(2);
const cell = (s: string) => s.replace(/\s+/g, ' ').replace(/\|/g, '\\|');

export function renderAgent(o: ObserveResult): string {
  const d = o.last_decision;
  const out = [`# Agent ${o.agent_id}`, ''];
  if (o.client_name) out.push(`Client: ${o.client_name}${o.client_version ? ` ${o.client_version}` : ''}  `);
  out.push(`Status: ${o.status} · ${o.update_count} update${o.update_count === 1 ? '' : 's'} · first seen ${o.created_at} · last seen ${o.last_seen_at}`, '');
  out.push('## Last decision', '');
  if (d) {
    out.push(`**${d.action}**${d.verdict ? ` (${d.verdict})` : ''} at ${d.at}`, '', `Reason: ${d.reason}`);
    if (d.guidance) out.push('', `Guidance: ${d.guidance}`);
  } else {
    out.push('None yet: the agent has not sent an update.');
  }
  out.push('', '## State', '', '| E | I | S | V | coherence | risk |', '|---|---|---|---|---|---|');
  const m = o.metrics;
  out.push(`| ${n2(o.eisv.E)} | ${n2(o.eisv.I)} | ${n2(o.eisv.S)} | ${n2(o.eisv.V)} | ${m ? n2(m.coherence) : '-'} | ${m ? n2(m.risk_score) : '-'} |`);
  const t = o.trend;
  out.push('', `Trend over the last ${t.window} update${t.window === 1 ? '' : 's'}: risk ${t.risk} (${t.risk_delta >= 0 ? '+' : ''}${n2(t.risk_delta)}), coherence ${t.coherence} (${t.coherence_delta >= 0 ? '+' : ''}${n2(t.coherence_delta)}), ${t.pauses} pause${t.pauses === 1 ? '' : 's'}.`);
  if (o.history.length) {
    out.push('', '## Recent updates (newest first)', '', '| time | decision | risk | coherence | complexity | operation |', '|---|---|---|---|---|---|');
    for (const h of [...o.history].reverse()) {
      out.push(`| ${h.at} | ${h.action} | ${n2(h.risk_score)} | ${n2(h.coherence)} | ${n2(h.complexity)} | ${cell(h.operation.slice(0, 120))} |`);
    }
  }
  return `${out.join('\n')}\n`;
}

export function renderDiscovery(details: DiscoveryDetails): string {
  const d = details.discovery;
  const out = [`# ${d.summary}`, ''];
  out.push(`${d.discovery_type} by ${d.agent_id} · ${d.created_at} · status ${d.status}${d.severity ? ` · severity ${d.severity}` : ''}  `);
  if (d.tags.length) out.push(`Tags: ${d.tags.join(', ')}  `);
  out.push(`Id: ${d.id}`, '');
  if (d.details.trim()) out.push('## Details', '', d.details, '');
  const edges = (title: string, list: EdgeView[]) => {
    if (!list.length) return;
    out.push(`## ${title}`, '');
    for (const x of list) out.push(`- ${x.relation}: ${x.summary === null ? '(deleted)' : x.summary} (${x.discovery_type ?? '?'}, id ${x.id})`);
    out.push('');
  };
  edges('Links to', details.edges.outgoing);
  edges('Linked from', details.edges.incoming);
  return `${out.join('\n')}\n`;
}
