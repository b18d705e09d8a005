// A cluster replica's parts, for the runtime: the shared database, this replica's coordinator
// (leases, balance, the fence) and the state store whose commits the fence guards.

import type { Logger } from '../core/contracts.js';
import { ClusterCoordinator, type ClusterEvents } from '../cluster/coordinator.js';
import { replicaIdentity } from '../cluster/replicas.js';
import { Database, type PostgresConfig } from '../state/postgres/database.js';
import { PostgresStateStore } from '../state/postgres/store.js';

export interface ClusterReplica {
  readonly coordinator: ClusterCoordinator;
  readonly database: Database;
  /** Checkpoints fenced by this replica's leases; closing it closes the database. */
  readonly store: PostgresStateStore;
}

export async function openClusterReplica(postgres: PostgresConfig, options: { leaseSeconds: number; logger: Logger; events: ClusterEvents }): Promise<ClusterReplica> {
  const database = await Database.open(postgres);
  const replica = replicaIdentity();
  const coordinator = new ClusterCoordinator({ database, replica, leaseSeconds: options.leaseSeconds, logger: options.logger, events: options.events });
  options.logger.info(`Replica ${replica.id} joins the cluster in PostgreSQL at ${database.where}, schema ${database.schema} (leases of ${options.leaseSeconds} s)`);
  return { coordinator, database, store: new PostgresStateStore(database, { fence: coordinator.fence, ownsDatabase: true }) };
}
