import { EventEmitter } from 'node:events';
import { InProcessGovernanceClient } from '../../../src/client/in-process';
import type { GovernanceEvents } from '../../../src/core/events';
import type { GovernanceService } from '../../../src/core/governance';
import { ObservabilityService } from '../../../src/core/observability-service';
import type { AgentReadRepository } from '../../../src/core/repository';
import type { KnowledgeGraph } from '../../../src/knowledge/knowledge';
import { governanceTools } from '../../../src/server/tools/governance-tools';
import { knowledgeTools } from '../../../src/server/tools/knowledge-tools';
import { observabilityTools } from '../../../src/server/tools/observability-tools';
import { ToolRegistry } from '../../../src/server/tools/registry';
import type { AuditLog } from '../../../src/store/audit';

/**
 * The governance client the panels read through, in process over these services (their real tool
 * registry, their events), as the extension makes it for the server this window runs.
 */
export function panelClient(services: { governance: GovernanceService; knowledge: KnowledgeGraph; events: GovernanceEvents; store: { agentReads: AgentReadRepository } }): InProcessGovernanceClient {
  const registry = new ToolRegistry([
    ...governanceTools(services.governance),
    ...knowledgeTools(services.knowledge, services.governance),
    // list_agents and observe_agent are observability tools.
    ...observabilityTools(new ObservabilityService(services.store), services.governance),
  ]);
  return new InProcessGovernanceClient('http://127.0.0.1:0', {
    registry,
    events: services.events,
    codex: { events: new EventEmitter() },
    // The Knowledge graph and Agent dashboard do not read the audit log.
    audit: undefined as unknown as AuditLog,
  });
}
