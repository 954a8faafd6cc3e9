import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventStore } from '@interlink/event-store';
import { AGENCY_CONFIG } from './tokens';
import { Decider, DomainEvent } from '@interlink/contracts';
import { currentLogScope, inSpan } from '@interlink/observability';
import { AgencyConfig } from './config';
import { DecisionContext, Release } from './decision-context';
import { AppendedEvent, CommandResponse, appended, respond } from './http';

export interface CommandMeta {
  /** The client's id for this command: a retry with the same id gets the first result. */
  commandId: string;
  /** e.g. `identify-suspect`. */
  command: string;
  /** Who issued it (recorded as the actor `<agency id>/<user>`). */
  user: string;
  /** Ties this command to an earlier case thread; when absent, the request's X-Correlation-Id, else the command id. */
  correlationId?: string;
}

export class CommandIdReused extends Error {
  constructor(commandId: string, earlier: string, now: string) {
    super(`command id ${commandId} was already used for "${earlier}"; use a new command id for "${now}"`);
    this.name = 'CommandIdReused';
  }
}

/**
 * Runs a command exactly once per command id: the events it appends and the record of its
 * result commit in one transaction, and a retry with the same id returns that result.
 * A command that fails appends nothing and records nothing, so it may be retried as is.
 */
@Injectable()
export class CommandService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    @Inject(AGENCY_CONFIG) private readonly config: AgencyConfig,
  ) {}

  async execute<R extends object>(meta: CommandMeta, work: (ctx: DecisionContext) => Promise<R>): Promise<{ result: R; replayed: boolean }> {
    return inSpan(`command ${meta.command}`, { attributes: { 'interlink.command': meta.command, 'interlink.command_id': meta.commandId } }, () => this.run(meta, work));
  }

  private run<R extends object>(meta: CommandMeta, work: (ctx: DecisionContext) => Promise<R>): Promise<{ result: R; replayed: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      // The command id's lock, then its earlier result if any: attempts of one command take turns.
      const prior: { command: string; result: R }[] = await manager.query(`SELECT command, result FROM interlink.claim_command($1)`, [meta.commandId]);
      if (prior.length > 0) {
        if (prior[0].command !== meta.command) throw new CommandIdReused(meta.commandId, prior[0].command, meta.command);
        return { result: prior[0].result, replayed: true };
      }
      const actor = `${this.config.agencyId}/${meta.user}`;
      const ctx = new DecisionContext(
        manager,
        this.store,
        this.config,
        // The request's correlation id: the command's, else the caller's X-Correlation-Id, else the command id.
        { correlationId: meta.correlationId ?? currentLogScope()?.correlationId ?? meta.commandId, causationId: meta.commandId, actor },
        meta.commandId,
      );
      const result = await work(ctx);
      await manager.query(`INSERT INTO interlink.commands (command_id, command, actor, result) VALUES ($1, $2, $3, $4)`, [
        meta.commandId,
        meta.command,
        actor,
        JSON.stringify(result),
      ]);
      return { result, replayed: false };
    });
  }

  /**
   * The usual command: one decision on one stream. Answers with `ids` (what the client needs to
   * refer to the record) and the events appended.
   */
  async decideOn<C, E extends DomainEvent, S, K extends string>(
    request: { commandId: string; correlationId?: string; command: string; user: string },
    target: { decider: Decider<C, E, S>; stream: string; release: Release | ((event: E, state: S) => Release); ids: Record<K, string> },
    decision: C,
  ): Promise<CommandResponse<Record<K, string> & { events: AppendedEvent[] }>> {
    const outcome = await this.execute(request, async (ctx) => {
      const events = await ctx.decide(target.decider, target.stream, decision, target.release);
      return { ...target.ids, events: appended(events) };
    });
    return respond(request.commandId, outcome);
  }
}
